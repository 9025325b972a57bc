import { setMaxListeners } from 'node:events';

/**
 * The deadlines of upstream requests. Requests that start within the same slice of time share one
 * abort signal, aborted once the last of them has had the whole timeout: a controller and a timer
 * per slice instead of per request, which the gateway would pay on every request it proxies. A
 * request is aborted between `timeoutMs` and `timeoutMs + sliceMs` after it started. Not
 * express-http-proxy's `timeout`, which adds a listener to the socket on every request (they pile
 * up on reused keep-alive sockets).
 */
export class UpstreamDeadlines {
  private current?: { signal: AbortSignal; endsAt: number };

  constructor(
    private readonly timeoutMs: number,
    private readonly sliceMs = Math.max(1, Math.ceil(timeoutMs / 20)),
  ) {}

  /** The signal that aborts a request starting now, once its time is up. */
  signal(now = Date.now()): AbortSignal {
    if (this.current && now < this.current.endsAt) return this.current.signal;
    const controller = new AbortController();
    // Every request of the slice listens on it: no leak warning for many listeners.
    setMaxListeners(0, controller.signal);
    // Unref'd: a timer alone does not keep the process alive; the requests it guards do.
    setTimeout(() => controller.abort(new DOMException('upstream timeout', 'TimeoutError')), this.timeoutMs + this.sliceMs).unref();
    this.current = { signal: controller.signal, endsAt: now + this.sliceMs };
    return controller.signal;
  }
}
