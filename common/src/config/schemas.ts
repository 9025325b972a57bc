import { z } from 'zod';

/** A boolean from the environment: only the words people write for it. */
export const envBoolean = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

export const port = z.coerce.number().int().min(0).max(65535);

export const mongoUrl = z
  .string()
  .regex(/^mongodb(\+srv)?:\/\//, 'must be a mongodb:// URL');

export const amqpUrl = z.string().regex(/^amqps?:\/\//, 'must be an amqp:// URL');

/** What every service of the shop reads, beside its own port and database. */
export const serviceEnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['error', 'warn', 'info', 'http', 'debug']).default('info'),
  MONGO_URL: mongoUrl,
  AMQP_URL: amqpUrl,
  AMQP_EXCHANGE: z.string().min(1).max(200).default('shop.events'),
  /** Prefix for this deployment's queue names, so that test runs sharing a broker stay apart. */
  AMQP_QUEUE_PREFIX: z.string().max(100).default(''),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters'),
  JWT_ISSUER: z.string().min(1).default('microservices-shop'),
  JWT_AUDIENCE: z.string().min(1).default('microservices-shop-api'),
  BODY_LIMIT: z.string().regex(/^\d+(b|kb|mb)$/i, 'must be a size like 100kb').default('100kb'),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(5000),
  /**
   * Which proxies' X-Forwarded-For to believe (Express "trust proxy"): the gateway, on a private
   * network. The client address it yields is what rate limits count.
   */
  TRUST_PROXY: z.string().default('loopback, linklocal, uniquelocal'),
});

export type ServiceEnv = z.infer<typeof serviceEnvSchema>;
