import type { Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
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
 * The client as limits count it: its address as Express resolved it under the app's `trust proxy`
 * (express-rate-limit's own default runs its configuration checks on every request), an IPv6
 * address by its /56 network, since one host may use any address of its range.
 */
export const clientKey = (req: Request): string => ipKeyGenerator(req.ip ?? req.socket.remoteAddress ?? '');

/**
 * A fixed-window limit answering 429 in the shop's JSON error shape, with Retry-After. Counts are
 * kept per process: with several instances behind the gateway, each counts its own share.
 */
export function rateLimiter({ limit, windowMs, key, counts, message = 'Too many requests; try again later' }: RateLimitOptions): RequestHandler {
  if (limit <= 0) return (_req, _res, next) => next();
  return rateLimit({
    windowMs,
    limit,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    // express-rate-limit counts each request, then takes back those that "succeeded": here, those that do not count.
    ...(counts ? { skipSuccessfulRequests: true, requestWasSuccessful: (_req: Request, res: Response) => !counts(res.statusCode) } : {}),
    keyGenerator: key ?? clientKey,
    handler: (req, res) => {
      const resetTime = (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
      const seconds = resetTime ? Math.max(1, Math.ceil((resetTime.getTime() - Date.now()) / 1000)) : Math.ceil(windowMs / 1000);
      res.setHeader('Retry-After', String(seconds));
      res.status(429).json(errorBody(new AppError(429, 'RATE_LIMITED', message)));
    },
  });
}
