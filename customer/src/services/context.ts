import type { CatalogueReplica, Logger, Outbox, SigningSettings } from '@shop/common';
import type { CustomerRepository } from '../database/customer-repository';
import type { CustomerViewRepository } from '../database/customer-view-repository';
import type { RefreshTokenRepository } from '../database/refresh-token-repository';

/** What the session use cases work with: customer signs access tokens and keeps refresh tokens. */
export interface SessionsContext {
  customers: CustomerRepository;
  refreshTokens: RefreshTokenRepository;
  signing: SigningSettings;
  /** How long a refresh token may wait to be used, like `14d`. */
  refreshLifetime: string;
  logger: Logger;
}

/** What sign-up and log-in work with: each starts a session. */
export interface AccountsContext extends SessionsContext {
  bcryptCost: number;
  /** Compared against when the email is unknown, so that both answers take the same time. */
  decoyHash: Promise<string>;
}

/** What the profile, address and wishlist use cases work with. */
export interface ProfilesContext {
  customers: CustomerRepository;
  views: CustomerViewRepository;
  catalogue: CatalogueReplica;
  outbox: Outbox;
}
