/**
 * A small JSON client for the benchmark's own calls (seeding, the event-lag probe, the log-in
 * loop): keep-alive connections, loopback only.
 */
import http from 'node:http';

export const agent = new http.Agent({ keepAlive: true, maxSockets: 128 });

export interface JsonResponse<T = unknown> {
  status: number;
  body: T;
  /** Milliseconds from sending the request to the end of the answer. */
  ms: number;
}

export function assertLoopback(url: string): void {
  const { hostname } = new URL(url);
  if (!['127.0.0.1', 'localhost', '[::1]', '::1'].includes(hostname)) {
    throw new Error(`the benchmark sends traffic to loopback only, not to ${hostname}`);
  }
}

export function request<T = unknown>(method: string, url: string, options: { body?: unknown; token?: string; timeoutMs?: number } = {}): Promise<JsonResponse<T>> {
  const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
  const headers: http.OutgoingHttpHeaders = { accept: 'application/json' };
  if (payload) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = payload.length;
  }
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent, timeout: options.timeoutMs ?? 30_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = text;
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          // not JSON: keep the text
        }
        resolve({ status: res.statusCode ?? 0, body: body as T, ms: performance.now() - started });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${url} timed out`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** Like request, but anything other than the expected status is an error naming the answer. */
export async function expectStatus<T = unknown>(expected: number | number[], method: string, url: string, options: { body?: unknown; token?: string } = {}): Promise<T> {
  const response = await request<T>(method, url, options);
  const allowed = Array.isArray(expected) ? expected : [expected];
  if (!allowed.includes(response.status)) {
    throw new Error(`${method} ${url} answered ${response.status}: ${JSON.stringify(response.body).slice(0, 300)}`);
  }
  return response.body;
}

/** Runs the tasks with at most `parallel` at a time, in order of the items. */
export async function mapLimit<I, O>(items: I[], parallel: number, task: (item: I, index: number) => Promise<O>): Promise<O[]> {
  const results: O[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, items.length) }, worker));
  return results;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
