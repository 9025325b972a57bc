import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { lifetimeSeconds, signAccessToken, UnauthorizedError, type Logger, type Role, type SigningSettings } from '@shop/common';
import type { CustomerRepository } from '../database/customer-repository';
import type { RefreshTokenRepository } from '../database/refresh-token-repository';

/** What sign-up, log-in and refresh answer: `id` and `token` as the original clients read them. */
export interface Session {
  id: string;
  token: string;
  refreshToken: string;
}

/** 256 random bits: guessing one is hopeless, so its SHA-256 is all the database needs. */
const newRefreshToken = (): string => randomBytes(32).toString('base64url');
const hashOf = (refreshToken: string): string => createHash('sha256').update(refreshToken).digest('hex');
const refused = (): UnauthorizedError => new UnauthorizedError('The refresh token is not valid', 'INVALID_REFRESH_TOKEN');

/**
 * Short-lived access tokens with rotating refresh tokens. An access token is never checked against
 * the account, so its lifetime bounds how long a deleted account or a lost role keeps working; a
 * refresh reads the account again, and the old refresh token is spent.
 */
export class Sessions {
  constructor(
    private readonly customers: CustomerRepository,
    private readonly refreshTokens: RefreshTokenRepository,
    private readonly signing: SigningSettings,
    private readonly refreshLifetime: string,
    private readonly logger: Logger,
  ) {}

  /** A new session (a new family of refresh tokens) for a log-in or sign-up. */
  start(customerId: string, role: Role): Promise<Session> {
    return this.issue(customerId, role, randomUUID());
  }

  /**
   * Spends the refresh token for a new pair. A token used a second time was copied: whoever holds
   * the family's newest token may be the thief, so the whole family is revoked.
   */
  async refresh(refreshToken: string): Promise<Session> {
    const hash = hashOf(refreshToken);
    const now = new Date();
    const claimed = await this.refreshTokens.claim(hash, now);
    if (!claimed) {
      const known = await this.refreshTokens.findByHash(hash);
      if (known?.rotatedAt && !known.revokedAt) {
        await this.refreshTokens.revokeFamily(known.familyId, now);
        this.logger.warn('refresh token reused: its session is revoked', { customerId: known.customerId });
      }
      throw refused();
    }
    const customer = await this.customers.findById(claimed.customerId);
    if (!customer) {
      await this.refreshTokens.revokeFamily(claimed.familyId, now);
      throw refused();
    }
    return this.issue(claimed.customerId, customer.role, claimed.familyId);
  }

  /** Log-out: the session the refresh token belongs to ends, if it is the caller's. */
  async end(customerId: string, refreshToken: string): Promise<void> {
    const known = await this.refreshTokens.findByHash(hashOf(refreshToken));
    if (known?.customerId === customerId) await this.refreshTokens.revokeFamily(known.familyId, new Date());
  }

  private async issue(customerId: string, role: Role, familyId: string): Promise<Session> {
    const refreshToken = newRefreshToken();
    const expiresAt = new Date(Date.now() + lifetimeSeconds(this.refreshLifetime) * 1000);
    await this.refreshTokens.insert({ _id: hashOf(refreshToken), customerId, familyId, expiresAt });
    return { id: customerId, token: signAccessToken({ customerId, role }, this.signing), refreshToken };
  }
}
