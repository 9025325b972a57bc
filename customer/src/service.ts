import { mayPublish } from '@shop/common/contracts';
import { CatalogueReplica, runService, type RunningService } from '@shop/common';
import { customerRoutes } from './api/routes';
import { signingSettings, type CustomerConfig } from './config';
import { CustomerRepository } from './database/customer-repository';
import { CustomerViewRepository } from './database/customer-view-repository';
import { RefreshTokenRepository } from './database/refresh-token-repository';
import { customerEventHandlers } from './events';
import { ensureAdmin } from './services/commands/ensure-admin';
import { decoyHashFor } from './services/commands/log-in';
import type { AccountsContext, ProfilesContext } from './services/context';

export type CustomerService = RunningService<CustomerConfig['extra']>;

/** Wires the customer service: repositories → use cases → routes and event handlers. */
export function startCustomerService(config: CustomerConfig, { handleSignals = true } = {}): Promise<CustomerService> {
  return runService({
    config,
    mayPublish,
    handleSignals,
    build: ({ connection, outbox, logger }) => {
      const customers = new CustomerRepository(connection);
      const views = new CustomerViewRepository(connection);
      const catalogue = new CatalogueReplica(connection);
      const accounts: AccountsContext = {
        customers,
        refreshTokens: new RefreshTokenRepository(connection),
        signing: signingSettings(config),
        refreshLifetime: config.extra.REFRESH_TOKEN_EXPIRES_IN,
        logger,
        bcryptCost: config.extra.BCRYPT_COST,
        decoyHash: decoyHashFor(config.extra.BCRYPT_COST),
      };
      const profiles: ProfilesContext = { customers, views, catalogue, outbox };
      return {
        routes: customerRoutes({
          accounts,
          sessions: accounts,
          profiles,
          tokens: config.tokens,
          limits: {
            loginPerIp: config.extra.LOGIN_LIMIT_PER_IP,
            loginFailuresPerAccount: config.extra.LOGIN_FAILURES_PER_ACCOUNT,
            signupPerIp: config.extra.SIGNUP_LIMIT_PER_IP,
          },
        }),
        handlers: customerEventHandlers({ views, catalogue }),
        beforeListen: async () => {
          const moved = await views.moveEmbeddedOrders();
          if (moved > 0) logger.info('orders of the customer views moved to their own collection', { views: moved });
          const { ADMIN_EMAIL, ADMIN_PASSWORD } = config.extra;
          if (ADMIN_EMAIL && ADMIN_PASSWORD && (await ensureAdmin(accounts, ADMIN_EMAIL, ADMIN_PASSWORD))) {
            logger.info('admin account created');
          }
        },
        afterStart: () => catalogue.requestSync(outbox, 'customer'),
      };
    },
  });
}
