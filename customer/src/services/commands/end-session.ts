import type { SessionsContext } from '../context';
import { hashOfRefreshToken } from './start-session';

/** Log-out: the session the refresh token belongs to ends, if it is the caller's. */
export async function endSession({ refreshTokens }: SessionsContext, customerId: string, refreshToken: string): Promise<void> {
  const known = await refreshTokens.findByHash(hashOfRefreshToken(refreshToken));
  if (known?.customerId === customerId) await refreshTokens.revokeFamily(known.familyId, new Date());
}
