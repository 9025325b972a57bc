import type { ClientRequest } from 'node:http';

/** What an upstream request still open at its deadline is destroyed with. */
export class UpstreamTimeoutError extends Error {
  readonly code = 'UPSTREAM_TIMEOUT';

  constructor() {
    super('upstream timeout');
    this.name = 'TimeoutError';
  }
}

/** What the deadlines need of a request: to let it go once it closes, or to end it. */
export type WatchedRequest = Pick<ClientRequest, 'on' | 'destroy'>;

/**
 * The deadlines of upstream requests. Requests that start within the same slice of time are
 * watched by one timer, which destroys those still open once the last of them has had the whole
 * timeout: a timer per slice, and per request a set entry and a `close` listener, instead of an
 * abort signal, whose listener and stream clean-up the gateway would pay on every request it
 * proxies. A request is destroyed between `timeoutMs` and `timeoutMs + sliceMs` after it started.
 * Not express-http-proxy's `timeout`, which adds a listener to the socket on every request (they
 * pile up on reused keep-alive sockets).
 */
export class UpstreamDeadlines {
  private current?: { open: Set<WatchedRequest>; endsAt: number };

  constructor(
    private readonly timeoutMs: number,
    private readonly sliceMs = Math.max(1, Math.ceil(timeoutMs / 20)),
  ) {}

  /** Watches a request starting now until it closes; destroys it if its time is up first. */
  watch(request: WatchedRequest, now = Date.now()): void {
    if (!this.current || now >= this.current.endsAt) this.current = this.startSlice(now);
    const { open } = this.current;
    open.add(request);
    request.on('close', () => open.delete(request));
  }

  private startSlice(now: number): { open: Set<WatchedRequest>; endsAt: number } {
    const open = new Set<WatchedRequest>();
    // Unref'd: a timer alone does not keep the process alive; the requests it guards do.
    setTimeout(() => {
      for (const request of open) request.destroy(new UpstreamTimeoutError());
    }, this.timeoutMs + this.sliceMs).unref();
    return { open, endsAt: now + this.sliceMs };
  }
}
