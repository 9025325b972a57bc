import http from 'node:http';
import type { UpstreamName } from './config';
import type { UpstreamDeadlines } from './upstream-deadlines';

/** Options of a request to a service whose deadline `deadlines` keeps. */
export interface DeadlineRequestOptions extends http.RequestOptions {
  deadlines?: UpstreamDeadlines;
}

/** Where Node's Agent is handed each request (not in @types/node; the hook custom agents build on). */
type AgentWithRequests = { addRequest(request: http.ClientRequest, options: DeadlineRequestOptions): void };

/**
 * An agent that also hands every request whose options name deadlines to them: the one place
 * where the request that express-http-proxy creates can be reached, without a listener of its own.
 */
class DeadlineAgent extends http.Agent {
  addRequest(request: http.ClientRequest, options: DeadlineRequestOptions): void {
    (http.Agent.prototype as unknown as AgentWithRequests).addRequest.call(this, request, options);
    options.deadlines?.watch(request);
  }
}

/** Connections to the services are kept open and reused: a new TCP connection per request halves throughput. */
export const keepAliveAgent = new DeadlineAgent({
  keepAlive: true,
  maxSockets: 256,
  // Drop idle sockets before the services' 65 s keep-alive ends, so a reused socket is never one they just closed.
  timeout: 60_000,
});

/** True when the instance answers 200 on its /ready (on the service port, never public). */
export function isReady(baseUrl: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.get(`${baseUrl}/ready`, { agent: keepAliveAgent, timeout: timeoutMs }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
  });
}

export interface UpstreamsOptions {
  /** How often every instance's /ready is asked; a check slower than this counts as not ready. */
  checkEveryMs?: number;
}

/**
 * Hands out a service's instances in turn (round robin), skipping those that are down: an instance
 * is down from a failed readiness check or a connection error until a check finds it ready again.
 * When every instance is down they are all used, so the client learns why from the service itself
 * (a 503 naming the database, say) rather than from the gateway guessing.
 */
export class Upstreams {
  private readonly next = new Map<UpstreamName, number>();
  private readonly down = new Set<string>();
  private readonly checkEveryMs: number;
  private timer?: NodeJS.Timeout;
  private checking = false;

  constructor(
    private readonly services: Record<UpstreamName, string[]>,
    { checkEveryMs = 1000 }: UpstreamsOptions = {},
  ) {
    this.checkEveryMs = checkEveryMs;
  }

  pick(name: UpstreamName): string {
    const urls = this.services[name];
    const up = urls.filter((url) => !this.down.has(url));
    const candidates = up.length > 0 ? up : urls;
    const index = this.next.get(name) ?? 0;
    this.next.set(name, (index + 1) % Math.max(urls.length, 1));
    return candidates[index % candidates.length]!;
  }

  /** Whether an instance of the service other than this one is up: somewhere a retry can go. */
  hasOtherUp(name: UpstreamName, url: string): boolean {
    return this.services[name].some((other) => other !== url && !this.down.has(other));
  }

  markDown(url: string): void {
    this.down.add(url);
  }

  isUp(url: string): boolean {
    return !this.down.has(url);
  }

  all(name: UpstreamName): string[] {
    return this.services[name];
  }

  /** Asks every instance's /ready now and then, in the background (never keeping the process alive). */
  startChecks(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.checkAll(), this.checkEveryMs);
    this.timer.unref();
  }

  stopChecks(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  async checkAll(): Promise<void> {
    // A round still waiting on a slow instance is not doubled.
    if (this.checking) return;
    this.checking = true;
    try {
      const urls = [...new Set(Object.values(this.services).flat())];
      await Promise.all(urls.map(async (url) => ((await isReady(url, this.checkEveryMs)) ? this.down.delete(url) : this.down.add(url))));
    } finally {
      this.checking = false;
    }
  }
}
