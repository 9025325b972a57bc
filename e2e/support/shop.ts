import { parseConfig, serviceConfigSchema } from '@shop/common/web';
import { takeDeadLetters, testEnvironment, uniqueTestName } from '@shop/common/testing';
import type { PublishingService } from '@shop/common';
import { grantServiceUsers, type RabbitMqControl } from '../../scripts/infra/rabbitmq';
import { SERVICES, startShopProcesses, type ShopProcesses } from '../../scripts/shop-processes';

/** A broker node started by this test run: the service users and the way to grant them an exchange. */
export interface ServiceBroker {
  serviceUrls: Record<PublishingService, string>;
  control: RabbitMqControl;
}

/** The service users of the run's broker, when jest's global setup started it (not for a given AMQP_URL). */
export function testServiceBroker(): ServiceBroker | undefined {
  const urls = process.env.TEST_AMQP_SERVICE_URLS;
  const control = process.env.TEST_RABBITMQ_CONTROL;
  if (!urls || !control) return undefined;
  return { serviceUrls: JSON.parse(urls) as ServiceBroker['serviceUrls'], control: JSON.parse(control) as RabbitMqControl };
}

export const ADMIN = { email: 'admin@e2e.test', password: 'admin-password' };

export interface RunningShop extends ShopProcesses {
  /** Everything the processes printed, for a failing test to show. */
  output: string[];
  /** The environment the processes were given (their exchange, queue prefix, databases). */
  env: Record<string, string>;
  /** Stops the processes, then fails if any service dead-lettered an event during the journey. */
  stop: () => Promise<void>;
}

/** What each service's dead-letter queue holds (and takes it out), by service; read as the run's broker administrator. */
async function deadLettersByService(env: Record<string, string>): Promise<Record<string, string[]>> {
  const byService: Record<string, string[]> = {};
  for (const service of SERVICES) {
    const { amqpUrl, queue } = parseConfig(serviceConfigSchema(service, {}), env);
    byService[service] = await takeDeadLetters(amqpUrl, queue);
  }
  return byService;
}

/**
 * The real shop for a journey: the built services and gateway as four processes, on the test
 * run's FerretDB and RabbitMQ, with their own databases and exchange, each service as its own
 * broker user (allowed on that exchange to publish only its own events) as in production.
 */
export async function startShop(label: string, extraEnv: Record<string, string> = {}, instances = 1, broker = testServiceBroker()): Promise<RunningShop> {
  const output: string[] = [];
  const env: Record<string, string> = {
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
  if (broker) await grantServiceUsers(broker.control, env.AMQP_EXCHANGE ?? 'shop.events');
  const shop = await startShopProcesses({
    env,
    amqpUrls: broker?.serviceUrls,
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
