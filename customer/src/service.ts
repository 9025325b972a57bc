import { CatalogueReplica, runService, type RunningService } from '@shop/common';
import { customerRoutes } from './api/routes';
import { signingSettings, type CustomerConfig } from './config';
import { CustomerRepository } from './database/customer-repository';
import { CustomerViewRepository } from './database/customer-view-repository';
import { customerEventHandlers } from './events/handlers';
import { RefreshTokenRepository } from './database/refresh-token-repository';
import { Accounts } from './services/accounts';
import { CustomerViewProjection } from './services/customer-view-projection';
import { Profiles } from './services/profiles';
import { Sessions } from './services/sessions';

export type CustomerService = RunningService<CustomerConfig['extra']>;

/** Wires the customer service: repositories → services → routes and event handlers. */
export function startCustomerService(config: CustomerConfig, { handleSignals = true } = {}): Promise<CustomerService> {
  return runService({
    config,
    handleSignals,
    build: ({ connection, outbox, logger }) => {
      const customers = new CustomerRepository(connection);
      const views = new CustomerViewRepository(connection);
      const catalogue = new CatalogueReplica(connection);
      const sessions = new Sessions(customers, new RefreshTokenRepository(connection), signingSettings(config), config.extra.REFRESH_TOKEN_EXPIRES_IN, logger);
      const accounts = new Accounts(customers, sessions, config.extra.BCRYPT_COST);
      const profiles = new Profiles(customers, views, catalogue, outbox);
      return {
        routes: customerRoutes({
          accounts,
          sessions,
          profiles,
          tokens: config.tokens,
          limits: {
            loginPerIp: config.extra.LOGIN_LIMIT_PER_IP,
            loginFailuresPerAccount: config.extra.LOGIN_FAILURES_PER_ACCOUNT,
            signupPerIp: config.extra.SIGNUP_LIMIT_PER_IP,
          },
        }),
        handlers: customerEventHandlers(new CustomerViewProjection(views), catalogue),
        afterStart: async () => {
          const { ADMIN_EMAIL, ADMIN_PASSWORD } = config.extra;
          if (ADMIN_EMAIL && ADMIN_PASSWORD && (await accounts.ensureAdmin(ADMIN_EMAIL, ADMIN_PASSWORD))) {
            logger.info('admin account created');
          }
          await catalogue.requestSync(outbox, 'customer');
        },
      };
    },
  });
}
