/**
 * Load drivers: autocannon (closed loop, as fast as the target answers) for the throughput cases,
 * and a paced open-loop driver for latency at a steady rate (the bcrypt and soak cases), because
 * autocannon's rate limit sends each second's quota in a burst at the start of the second.
 */
import autocannon from 'autocannon';
import { agent, assertLoopback } from './http';
import http from 'node:http';
import { round, Samples, type LatencySummary } from './stats';

/** An autocannon request with a label: the cases that mix requests report each kind by itself. */
export type LabelledRequest = autocannon.Request & { kind?: string };

export interface KindResult {
  responses: number;
  ok: number;
  non2xx: number;
  rps: number;
  latency: LatencySummary;
  statusCodes: Record<string, number>;
}

export interface LoadResult {
  url: string;
  connections: number;
  durationS: number;
  /** Responses of any status per second. */
  rps: number;
  /** 2xx latencies, measured by autocannon per request (ms, not rounded to whole ms). */
  latency: LatencySummary;
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodes: Record<string, number>;
  /** Response bytes per second (2xx). */
  bytesPerSec: number;
  byKind: Record<string, KindResult>;
}

interface KindCounters {
  samples: Samples;
  responses: number;
  non2xx: number;
  statusCodes: Record<string, number>;
}

export interface AutocannonCase {
  url: string;
  requests: LabelledRequest[];
  connections: number;
  durationS: number;
  timeoutS?: number;
}

export function runAutocannon(spec: AutocannonCase): Promise<LoadResult> {
  assertLoopback(spec.url);
  const kinds = new Map<string, KindCounters>();
  const all: KindCounters = { samples: new Samples(), responses: 0, non2xx: 0, statusCodes: {} };
  const count = (counters: KindCounters, status: number, ms: number): void => {
    counters.responses++;
    counters.statusCodes[status] = (counters.statusCodes[status] ?? 0) + 1;
    if (status >= 200 && status < 300) counters.samples.record(ms);
    else counters.non2xx++;
  };
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: spec.url,
        connections: spec.connections,
        duration: spec.durationS,
        timeout: spec.timeoutS ?? 10,
        requests: spec.requests,
      },
      (error, result) => {
        if (error) return reject(error);
        const durationS = result.duration;
        const summarise = (counters: KindCounters): KindResult => ({
          responses: counters.responses,
          ok: counters.responses - counters.non2xx,
          non2xx: counters.non2xx,
          rps: round(counters.responses / durationS, 1),
          latency: counters.samples.summary(),
          statusCodes: counters.statusCodes,
        });
        resolve({
          url: spec.url,
          connections: spec.connections,
          durationS,
          rps: round(all.responses / durationS, 1),
          latency: all.samples.summary(),
          errors: result.errors,
          timeouts: result.timeouts,
          non2xx: result.non2xx,
          statusCodes: all.statusCodes,
          bytesPerSec: round(result.throughput.average, 0),
          byKind: Object.fromEntries([...kinds].map(([kind, counters]) => [kind, summarise(counters)])),
        });
      },
    );
    // The client is still on the request just answered when it reports the response.
    instance.on('response', (client, status, _bytes, ms) => {
      const kind = (client as unknown as { requestIterator?: { currentRequest?: LabelledRequest } }).requestIterator?.currentRequest?.kind;
      count(all, status, ms);
      if (kind) {
        let counters = kinds.get(kind);
        if (!counters) kinds.set(kind, (counters = { samples: new Samples(), responses: 0, non2xx: 0, statusCodes: {} }));
        count(counters, status, ms);
      }
    });
  });
}

export interface PacedResult {
  rate: number;
  durationS: number;
  sent: number;
  responses: number;
  errors: number;
  non2xx: number;
  latency: LatencySummary;
}

/**
 * Sends GETs at a steady rate (open loop: the schedule does not wait for answers), spread evenly
 * over each 5 ms tick, and measures each answer's latency.
 */
export async function runPaced(options: { rate: number; durationS: number; nextUrl: () => string; signal?: { stop: boolean } }): Promise<PacedResult> {
  const samples = new Samples();
  let sent = 0;
  let responses = 0;
  let errors = 0;
  let non2xx = 0;
  const inFlight = new Set<Promise<void>>();
  const one = (url: string): Promise<void> => {
    const started = performance.now();
    return new Promise<void>((resolve) => {
      const req = http.get(url, { agent, timeout: 10_000 }, (res) => {
        res.on('data', () => undefined);
        res.on('end', () => {
          responses++;
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) samples.record(performance.now() - started);
          else non2xx++;
          resolve();
        });
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => {
        errors++;
        resolve();
      });
    });
  };
  const start = performance.now();
  const end = start + options.durationS * 1000;
  while (performance.now() < end && !options.signal?.stop) {
    const due = Math.floor(((performance.now() - start) / 1000) * options.rate);
    while (sent < due) {
      sent++;
      const url = options.nextUrl();
      assertLoopback(url);
      const pending = one(url).finally(() => inFlight.delete(pending));
      inFlight.add(pending);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await Promise.all(inFlight);
  const durationS = (performance.now() - start) / 1000;
  return { rate: options.rate, durationS: round(durationS, 1), sent, responses, errors, non2xx, latency: samples.summary() };
}
