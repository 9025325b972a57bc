import http from 'node:http';
import type { UpstreamName } from './config';

/** Connections to the services are kept open and reused: a new TCP connection per request halves throughput. */
export const keepAliveAgent = new http.Agent({
  keepAlive: true,
  maxSockets: 256,
  // Drop idle sockets before the services' 65 s keep-alive ends, so a reused socket is never one they just closed.
  timeout: 60_000,
});

/** Hands out a service's instances in turn (round robin). */
export class Upstreams {
  private readonly next = new Map<UpstreamName, number>();

  constructor(private readonly services: Record<UpstreamName, string[]>) {}

  pick(name: UpstreamName): string {
    const urls = this.services[name];
    const index = this.next.get(name) ?? 0;
    this.next.set(name, (index + 1) % urls.length);
    return urls[index % urls.length]!;
  }

  all(name: UpstreamName): string[] {
    return this.services[name];
  }
}
