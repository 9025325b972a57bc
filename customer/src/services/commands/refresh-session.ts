import { UnauthorizedError } from '@shop/common';
import type { SessionsContext } from '../context';
import { hashOfRefreshToken, issueSession, type Session } from './start-session';

const refused = (): UnauthorizedError => new UnauthorizedError('The refresh token is not valid', 'INVALID_REFRESH_TOKEN');

/**
 * Spends the refresh token for a new pair, with the role the account has now. A token used a
 * second time was copied: whoever holds the family's newest token may be the thief, so the whole
 * family is revoked.
 */
export async function refreshSession(context: SessionsContext, refreshToken: string): Promise<Session> {
  const { refreshTokens, customers, logger } = context;
  const hash = hashOfRefreshToken(refreshToken);
  const now = new Date();
  const claimed = await refreshTokens.claim(hash, now);
  if (!claimed) {
    const known = await refreshTokens.findByHash(hash);
    if (known?.rotatedAt && !known.revokedAt) {
      await refreshTokens.revokeFamily(known.familyId, now);
      logger.warn('refresh token reused: its session is revoked', { customerId: known.customerId });
    }
    throw refused();
  }
  const customer = await customers.findById(claimed.customerId);
  if (!customer) {
    await refreshTokens.revokeFamily(claimed.familyId, now);
    throw refused();
  }
  return issueSession(context, claimed.customerId, customer.role, claimed.familyId);
}
