import type { Request, RequestHandler } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import { clientAddress } from './client-address';
import { errorBody } from './error-handler';
import { AppError } from '../errors/app-errors';

export interface RateLimitOptions {
  /** Requests allowed per window; 0 turns the limit off. */
  limit: number;
  windowMs: number;
  /** What is counted: the client's address by default, or e.g. the account a log-in names. */
  key?: (req: Request) => string;
  /** Which answers count (e.g. only a log-in's 401, not a malformed request's 400); all by default. */
  counts?: (status: number) => boolean;
  message?: string;
}

/**
 * The client as limits count it: its address as Express resolved it under the app's `trust proxy`,
 * an IPv6 address by its /56 network, since one host may use any address of its range.
 */
export const clientKey = (req: Request): string => ipKeyGenerator(clientAddress(req));

/**
 * Counts per key in fixed windows aligned on multiples of the window's length. When a window ends
 * its counts are dropped all at once, so memory holds only the keys seen in the current window.
 */
export class FixedWindowCounts {
  private counts = new Map<string, number>();
  private window = -1;

  constructor(private readonly windowMs: number) {}

  /** Counts one more request of the key; returns its count in the current window and that window. */
  add(key: string, now = Date.now()): { count: number; window: number } {
    this.roll(now);
    const count = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, count);
    return { count, window: this.window };
  }

  /** Takes back a request counted in `window`; one counted in a window that has ended is gone already. */
  remove(key: string, window: number): void {
    const count = this.counts.get(key);
    if (window !== this.window || count === undefined) return;
    if (count <= 1) this.counts.delete(key);
    else this.counts.set(key, count - 1);
  }

  /** Milliseconds until the current window ends. */
  msLeft(now = Date.now()): number {
    return (Math.floor(now / this.windowMs) + 1) * this.windowMs - now;
  }

  private roll(now: number): void {
    const window = Math.floor(now / this.windowMs);
    if (window === this.window) return;
    this.window = window;
    this.counts = new Map();
  }
}

/**
 * A fixed-window limit answering 429 in the shop's JSON error shape, with Retry-After and the
 * draft-7 RateLimit headers. Counts are kept per process, in memory and synchronously (it sits in
 * front of every request the gateway proxies): with several instances, each counts its own share.
 */
export function rateLimiter({ limit, windowMs, key = clientKey, counts, message = 'Too many requests; try again later' }: RateLimitOptions): RequestHandler {
  if (limit <= 0) return (_req, _res, next) => next();
  const windows = new FixedWindowCounts(windowMs);
  const policy = `${limit};w=${Math.ceil(windowMs / 1000)}`;
  return (req, res, next) => {
    const now = Date.now();
    const client = key(req);
    const { count, window } = windows.add(client, now);
    const secondsLeft = Math.max(1, Math.ceil(windows.msLeft(now) / 1000));
    res.setHeader('RateLimit-Policy', policy);
    res.setHeader('RateLimit', `limit=${limit}, remaining=${Math.max(0, limit - count)}, reset=${secondsLeft}`);
    if (count > limit) {
      res.setHeader('Retry-After', String(secondsLeft));
      res.status(429).json(errorBody(new AppError(429, 'RATE_LIMITED', message)));
      return;
    }
    // Counted first and taken back when the answer does not count, so parallel requests cannot slip past the limit.
    if (counts) {
      res.once('finish', () => {
        if (!counts(res.statusCode)) windows.remove(client, window);
      });
    }
    next();
  };
}
