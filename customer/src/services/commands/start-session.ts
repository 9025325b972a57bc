import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { lifetimeSeconds, signAccessToken, type Role } from '@shop/common';
import type { SessionsContext } from '../context';

/** What sign-up, log-in and refresh answer: `id` and `token` as the original clients read them. */
export interface Session {
  id: string;
  token: string;
  refreshToken: string;
}

/** 256 random bits: guessing one is hopeless, so its SHA-256 is all the database needs. */
const newRefreshToken = (): string => randomBytes(32).toString('base64url');
export const hashOfRefreshToken = (refreshToken: string): string => createHash('sha256').update(refreshToken).digest('hex');

/**
 * A new session (a new family of refresh tokens) for a log-in or sign-up. Access tokens are
 * short-lived and never checked against the account, so their lifetime bounds how long a deleted
 * account or a lost role keeps working; refresh tokens rotate (see refresh-session.ts).
 */
export function startSession(context: SessionsContext, customerId: string, role: Role): Promise<Session> {
  return issueSession(context, customerId, role, randomUUID());
}

/** A new access token and the family's next refresh token. */
export async function issueSession({ refreshTokens, refreshLifetime, signing }: SessionsContext, customerId: string, role: Role, familyId: string): Promise<Session> {
  const refreshToken = newRefreshToken();
  const expiresAt = new Date(Date.now() + lifetimeSeconds(refreshLifetime) * 1000);
  await refreshTokens.insert({ _id: hashOfRefreshToken(refreshToken), customerId, familyId, expiresAt });
  return { id: customerId, token: signAccessToken({ customerId, role }, signing), refreshToken };
}
