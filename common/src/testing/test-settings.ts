import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import type { SigningSettings, TokenSettings } from '../kit/auth/tokens';
import { serviceConfigSchema, type ServiceConfig, type ServiceName } from '../kit/config/service-config';
import { parseConfig } from '../kit/config/load-config';
import type { z } from 'zod';

export interface TestKeys {
  privateKey: KeyObject;
  publicKey: KeyObject;
  privateKeyPem: string;
  publicKeyPem: string;
}

let keys: TestKeys | undefined;
/**
 * The token key pair of this test process, made at its first use: nothing in the repository
 * can sign a token a test shop accepts. Every test deployment of a process shares it.
 */
export function testKeys(): TestKeys {
  if (!keys) {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    keys = {
      ...pair,
      privateKeyPem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      publicKeyPem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    };
  }
  return keys;
}

/** Signing settings for tests that need to mint a token as customer would (services other than customer cannot). */
export function testSigning(tokens: TokenSettings): SigningSettings {
  return { ...tokens, privateKey: testKeys().privateKey };
}

/** The servers the test run started (jest's global setup puts them in the environment). */
export function testServers(): { mongoUrl: string; amqpUrl: string } {
  const mongoUrl = process.env.TEST_MONGO_URL;
  const amqpUrl = process.env.TEST_AMQP_URL;
  if (!mongoUrl || !amqpUrl) throw new Error('TEST_MONGO_URL / TEST_AMQP_URL are not set: run the tests with jest, whose global setup starts the servers');
  return { mongoUrl, amqpUrl };
}

/** A name no other test file uses: its own databases, exchange and queues. */
export function uniqueTestName(label: string): string {
  return `${label.replace(/[^A-Za-z0-9]/g, '').slice(0, 20)}_${randomBytes(4).toString('hex')}`;
}

/** Environment for one isolated deployment of the shop inside the test run. */
export function testEnvironment(isolation: string, overrides: Record<string, string> = {}): Record<string, string> {
  const { mongoUrl, amqpUrl } = testServers();
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'error',
    MONGO_URL: mongoUrl,
    AMQP_URL: amqpUrl,
    AMQP_EXCHANGE: `${isolation}.events`,
    AMQP_QUEUE_PREFIX: `${isolation}.`,
    JWT_PUBLIC_KEY: testKeys().publicKeyPem,
    JWT_PRIVATE_KEY: testKeys().privateKeyPem,
    CUSTOMER_DB_NAME: `${isolation}_customer`,
    PRODUCTS_DB_NAME: `${isolation}_products`,
    SHOPPING_DB_NAME: `${isolation}_shopping`,
    CUSTOMER_PORT: '0',
    PRODUCTS_PORT: '0',
    SHOPPING_PORT: '0',
    ...overrides,
  };
}

/** A service's config for a test, parsed by the same schema the service uses. */
export function testServiceConfig<E extends z.ZodRawShape>(
  name: ServiceName,
  extra: E,
  isolation: string,
  overrides: Record<string, string> = {},
): ServiceConfig<z.infer<z.ZodObject<E>>> {
  return parseConfig(serviceConfigSchema(name, extra), testEnvironment(isolation, overrides));
}
