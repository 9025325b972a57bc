import { parseConfig, serviceConfigSchema } from '@shop/common/config';
import { takeDeadLetters, testEnvironment, uniqueTestName } from '@shop/common/testing';
import { SERVICES, startShopProcesses, type ShopProcesses } from '../../scripts/shop-processes';

export const ADMIN = { email: 'admin@e2e.test', password: 'admin-password' };

export interface RunningShop extends ShopProcesses {
  /** Everything the processes printed, for a failing test to show. */
  output: string[];
  /** The environment the processes got (their exchange, queues, databases). */
  env: NodeJS.ProcessEnv;
  /** Stops the processes, then fails if any service dead-lettered an event during the journey. */
  stop: () => Promise<void>;
}

/** What each service's dead-letter queue holds (and takes it out), by service. */
async function deadLettersByService(env: NodeJS.ProcessEnv): Promise<Record<string, string[]>> {
  const byService: Record<string, string[]> = {};
  for (const service of SERVICES) {
    const { amqpUrl, queue } = parseConfig(serviceConfigSchema(service, {}), env);
    byService[service] = await takeDeadLetters(amqpUrl, queue);
  }
  return byService;
}

/**
 * The real shop for a journey: the built services and gateway as four processes, on the test
 * run's FerretDB and RabbitMQ, with their own databases and exchange.
 */
export async function startShop(label: string, extraEnv: Record<string, string> = {}, instances = 1): Promise<RunningShop> {
  const output: string[] = [];
  const env = {
    ...testEnvironment(uniqueTestName(label)),
    // Only what is given here: the repository's .env files are for people, not for tests.
    ENV_DIR: '/nonexistent',
    LOG_FORMAT: 'json',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    SEED_CATALOGUE: 'true',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    BCRYPT_COST: '4',
    // Journeys send many requests from one address; the limits have tests of their own.
    RATE_LIMIT_PER_MINUTE: '0',
    LOGIN_LIMIT_PER_IP: '0',
    LOGIN_FAILURES_PER_ACCOUNT: '0',
    SIGNUP_LIMIT_PER_IP: '0',
    ...extraEnv,
  };
  const shop = await startShopProcesses({
    env,
    gatewayPort: 0,
    servicePorts: { customer: 0, products: 0, shopping: 0 },
    instances,
    onOutput: (name, line) => {
      output.push(`${name}: ${line}`);
    },
  });
  const stop = async (): Promise<void> => {
    await shop.stop();
    expect(await deadLettersByService(env)).toEqual({ customer: [], products: [], shopping: [] });
  };
  return { ...shop, output, env, stop };
}
