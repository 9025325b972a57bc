import { z } from 'zod';
import { loadConfig } from './load-config';
import { mongoUrl, port, serviceEnvSchema, type ServiceEnv } from './schemas';
import { productionKeyProblem } from './secrets';
import { lifetimeSeconds, type TokenSettings } from '../auth/tokens';

export type ServiceName = 'customer' | 'products' | 'shopping';

export interface ServiceConfig<Extra> {
  name: ServiceName;
  nodeEnv: 'development' | 'production' | 'test';
  logLevel: string;
  port: number;
  /** This service's own database: `<NAME>_MONGO_URL`, else its own database on `MONGO_URL`. */
  mongoUrl: string;
  dbName: string;
  amqpUrl: string;
  exchange: string;
  queue: string;
  bodyLimit: string;
  shutdownTimeoutMs: number;
  /** Whether /metrics counts the database commands sent (db_commands_total). */
  dbCommandMetrics: boolean;
  /** The address the HTTP server listens on. */
  bindAddress: string;
  /** Whose X-Forwarded-For is believed: the gateway's address(es). */
  trustedProxies: string[];
  tokens: TokenSettings;
  extra: Extra;
}

/** The longest an access token may live: a deleted account or a lost role keeps it until then. */
export const MAX_ACCESS_TOKEN_SECONDS = 15 * 60;

export const DEFAULT_PORTS: Record<ServiceName | 'gateway', number> = { gateway: 8000, customer: 8001, products: 8002, shopping: 8003 };

/** The shared settings and the ones named after the service, which the type system cannot name. */
type PrefixedEnv = ServiceEnv & Record<string, unknown>;

/**
 * Reads the settings all services share plus this service's own (`CUSTOMER_PORT`,
 * `CUSTOMER_MONGO_URL`, `CUSTOMER_DB_NAME`, ...) and the extra schema it adds.
 */
export function serviceConfigSchema<E extends z.ZodRawShape>(name: ServiceName, extra: E) {
  const prefix = name.toUpperCase();
  return serviceEnvSchema
    .extend({
      MONGO_URL: mongoUrl.optional(),
      [`${prefix}_MONGO_URL`]: mongoUrl.optional(),
      [`${prefix}_PORT`]: port.default(DEFAULT_PORTS[name]),
      [`${prefix}_DB_NAME`]: z
        .string()
        .regex(/^[A-Za-z0-9_-]{1,63}$/, 'must be 1-63 letters, digits, _ or -')
        .default(name),
      /** Access tokens are checked by signature only, never against the account: their life bounds a revoked session's. */
      JWT_EXPIRES_IN: z
        .string()
        .regex(/^\d+[smhd]?$/, 'must be a duration like 15m')
        .refine((value) => lifetimeSeconds(value) <= MAX_ACCESS_TOKEN_SECONDS, 'must be at most 15m')
        .default('15m'),
      ...extra,
    })
    .superRefine((parsed, ctx) => {
      const env = parsed as unknown as PrefixedEnv;
      if (!env[`${prefix}_MONGO_URL`] && !env.MONGO_URL) ctx.addIssue({ code: 'custom', path: ['MONGO_URL'], message: `MONGO_URL (or ${prefix}_MONGO_URL) is required` });
      const keyProblem = env.NODE_ENV === 'production' && env.JWT_PUBLIC_KEY ? productionKeyProblem(env.JWT_PUBLIC_KEY) : undefined;
      if (keyProblem) ctx.addIssue({ code: 'custom', path: ['JWT_PUBLIC_KEY'], message: keyProblem });
    })
    .transform((env): ServiceConfig<z.infer<z.ZodObject<E>>> => {
      const record = env as unknown as PrefixedEnv;
      const extraValues = Object.fromEntries(Object.keys(extra).map((key) => [key, record[key]])) as z.infer<z.ZodObject<E>>;
      return {
        name,
        nodeEnv: record.NODE_ENV,
        logLevel: record.LOG_LEVEL,
        port: record[`${prefix}_PORT`] as number,
        mongoUrl: (record[`${prefix}_MONGO_URL`] as string | undefined) ?? (record.MONGO_URL as string),
        dbName: record[`${prefix}_DB_NAME`] as string,
        amqpUrl: record.AMQP_URL,
        exchange: record.AMQP_EXCHANGE,
        queue: `${record.AMQP_QUEUE_PREFIX}${name}`,
        bodyLimit: record.BODY_LIMIT,
        shutdownTimeoutMs: record.SHUTDOWN_TIMEOUT_MS,
        dbCommandMetrics: record.DB_COMMAND_METRICS,
        bindAddress: record.BIND_ADDRESS,
        trustedProxies: record.TRUSTED_PROXIES,
        tokens: { publicKey: record.JWT_PUBLIC_KEY, issuer: record.JWT_ISSUER, audience: record.JWT_AUDIENCE, expiresIn: record.JWT_EXPIRES_IN as string },
        extra: extraValues,
      };
    });
}

export function loadServiceConfig<E extends z.ZodRawShape>(name: ServiceName, extra: E): ServiceConfig<z.infer<z.ZodObject<E>>> {
  return loadConfig(serviceConfigSchema(name, extra));
}
