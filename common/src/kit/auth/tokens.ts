import type { KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { z } from 'zod';
import { UnauthorizedError } from '../errors/app-errors';

export const ROLES = ['customer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** What every service needs to check an access token: the public key only. */
export interface TokenSettings {
  publicKey: KeyObject;
  issuer: string;
  audience: string;
  /** Lifetime of an access token, e.g. "1h" or seconds: signed tokens get it, and no token may live longer. */
  expiresIn?: string | number;
}

/** What signing needs besides: the private key, which only customer holds. */
export interface SigningSettings extends TokenSettings {
  privateKey: KeyObject;
}

export interface AuthenticatedCaller {
  customerId: string;
  role: Role;
}

/**
 * Pinned: a token naming any other algorithm (including "none", or HS256 with the public key as its
 * secret) is refused before its signature is read. RS256 because the installed jsonwebtoken has no
 * EdDSA; the public key verifies, and only the holder of the private key can sign.
 */
const ALGORITHM = 'RS256';

const claimsSchema = z.object({ sub: z.string().min(1).max(100), role: z.enum(ROLES), iat: z.number(), exp: z.number() });

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };
/** Clocks of the signing and the verifying service may differ by this much. */
const CLOCK_SKEW_SECONDS = 60;

/**
 * A lifetime like "1h", "15m" or 3600 in seconds. A bare number in a string is seconds too
 * (jsonwebtoken would read "3600" as milliseconds).
 */
export function lifetimeSeconds(expiresIn: string | number = '15m'): number {
  if (typeof expiresIn === 'number') return expiresIn;
  const match = /^(\d+)([smhd]?)$/.exec(expiresIn);
  if (!match) throw new Error(`not a token lifetime: ${expiresIn}`);
  return Number(match[1]) * UNIT_SECONDS[match[2] || 's']!;
}

/**
 * Beyond the signature: a token must say when it was issued and when it ends, live no longer than
 * this shop's access tokens do, and not be issued in the future. A token minted with a leaked or
 * reused key and no expiry (or a far one) is refused all the same.
 */
function withinLifetime({ iat, exp }: { iat: number; exp: number }, lifetime: number): boolean {
  const now = Math.floor(Date.now() / 1000);
  return exp - iat <= lifetime && iat <= now + CLOCK_SKEW_SECONDS && now - iat <= lifetime + CLOCK_SKEW_SECONDS;
}

export function signAccessToken(caller: AuthenticatedCaller, settings: SigningSettings): string {
  return jwt.sign({ role: caller.role }, settings.privateKey, {
    algorithm: ALGORITHM,
    subject: caller.customerId,
    issuer: settings.issuer,
    audience: settings.audience,
    expiresIn: lifetimeSeconds(settings.expiresIn),
  });
}

export function verifyAccessToken(token: string, settings: TokenSettings): AuthenticatedCaller {
  let payload: unknown;
  try {
    payload = jwt.verify(token, settings.publicKey, {
      algorithms: [ALGORITHM],
      issuer: settings.issuer,
      audience: settings.audience,
    });
  } catch (error) {
    if (error instanceof jwt.TokenExpiredError) throw new UnauthorizedError('The token has expired', 'TOKEN_EXPIRED');
    throw new UnauthorizedError('The token is not valid', 'INVALID_TOKEN');
  }
  const claims = claimsSchema.safeParse(payload);
  if (!claims.success || !withinLifetime(claims.data, lifetimeSeconds(settings.expiresIn))) throw new UnauthorizedError('The token is not valid', 'INVALID_TOKEN');
  return { customerId: claims.data.sub, role: claims.data.role };
}
