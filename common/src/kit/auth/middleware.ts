import type { Request, RequestHandler } from 'express';
import { ForbiddenError, UnauthorizedError } from '../errors/app-errors';
import { verifyAccessToken, type AuthenticatedCaller, type Role, type TokenSettings } from './tokens';

const CALLER = Symbol('caller');
type RequestWithCaller = Request & { [CALLER]?: AuthenticatedCaller };

function bearerToken(req: Request): string | undefined {
  const header = req.headers.authorization;
  return header ? /^Bearer\s+(\S+)$/i.exec(header)?.[1] : undefined;
}

/**
 * Every service checks tokens itself (the gateway is not the only guard): the request must carry a
 * valid access token, and, when roles are given, one of them.
 */
export function requireAuth(settings: TokenSettings, ...roles: Role[]): RequestHandler {
  return (req, _res, next) => {
    const token = bearerToken(req);
    if (!token) return next(new UnauthorizedError('Authentication is required'));
    try {
      const caller = verifyAccessToken(token, settings);
      if (roles.length > 0 && !roles.includes(caller.role)) return next(new ForbiddenError());
      (req as RequestWithCaller)[CALLER] = caller;
      next();
    } catch (error) {
      next(error);
    }
  };
}

/** The caller that requireAuth has checked; a route without requireAuth has none. */
export function callerOf(req: Request): AuthenticatedCaller {
  const caller = (req as RequestWithCaller)[CALLER];
  if (!caller) throw new UnauthorizedError();
  return caller;
}
