import type { Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';

type HeaderValue = string | number | readonly string[];

/**
 * helmet's default headers, set in one step. Its dozen middlewares answer every request with the
 * same headers (nothing in them depends on the request), so they are asked once, at start-up, and
 * the gateway, which pays for every middleware on every proxied request, only copies them.
 */
export function securityHeaders(): RequestHandler {
  const headers = new Map<string, HeaderValue>();
  const recorder = {
    setHeader: (name: string, value: HeaderValue) => headers.set(name.toLowerCase(), value),
    removeHeader: (name: string) => headers.delete(name.toLowerCase()),
    getHeader: (name: string) => headers.get(name.toLowerCase()),
    locals: {},
  };
  helmet()({ headers: {} } as Request, recorder as unknown as Response, () => undefined);
  const fixed = [...headers];
  return (_req, res, next) => {
    for (const [name, value] of fixed) res.setHeader(name, value);
    next();
  };
}
