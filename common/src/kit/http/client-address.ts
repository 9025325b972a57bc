import type { Request } from 'express';

const CLIENT_ADDRESS = Symbol('clientAddress');

type WithClientAddress = Request & { [CLIENT_ADDRESS]?: string };

/**
 * The client's address as Express resolves it under the app's `trust proxy`, worked out once per
 * request: every read of `req.ip` parses X-Forwarded-For again, and a proxy needs it twice (its
 * rate limit and the X-Forwarded-For it sends on).
 */
export function clientAddress(req: Request): string {
  const known = req as WithClientAddress;
  return (known[CLIENT_ADDRESS] ??= req.ip ?? req.socket.remoteAddress ?? '');
}
