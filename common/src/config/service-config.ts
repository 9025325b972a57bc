import { z } from 'zod';
import { loadConfig } from './load-config';
import { mongoUrl, port, serviceEnvSchema, type ServiceEnv } from './schemas';
import { productionSecretProblem } from './secrets';
import type { TokenSettings } from '../auth/tokens';

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
  /** The address the HTTP server listens on. */
  bindAddress: string;
  /** Whose X-Forwarded-For is believed: the gateway's address(es). */
  trustedProxies: string[];
  tokens: TokenSettings;
  extra: Extra;
}

export const DEFAULT_PORTS: Record<ServiceName | 'gateway', number> = { gateway: 8000, customer: 8001, products: 8002, shopping: 8003 };

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
      [`${prefix}_DB_NAME`]: z.string().regex(/^[A-Za-z0-9_-]{1,63}$/, 'must be 1-63 letters, digits, _ or -').default(name),
      JWT_EXPIRES_IN: z.string().regex(/^\d+[smhd]?$/, 'must be a duration like 1h').default('1h'),
      ...extra,
    })
    .superRefine((env, ctx) => {
      const own = (env as Record<string, unknown>)[`${prefix}_MONGO_URL`];
      if (!own && !env.MONGO_URL) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['MONGO_URL'], message: `MONGO_URL (or ${prefix}_MONGO_URL) is required` });
      const secretProblem = env.NODE_ENV === 'production' ? productionSecretProblem('JWT_SECRET', env.JWT_SECRET) : undefined;
      if (secretProblem) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['JWT_SECRET'], message: secretProblem });
    })
    .transform((env): ServiceConfig<z.infer<z.ZodObject<E>>> => {
      const record = env as unknown as ServiceEnv & Record<string, unknown>;
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
        bindAddress: record.BIND_ADDRESS,
        trustedProxies: record.TRUSTED_PROXIES,
        tokens: { secret: record.JWT_SECRET, issuer: record.JWT_ISSUER, audience: record.JWT_AUDIENCE, expiresIn: record.JWT_EXPIRES_IN as string },
        extra: extraValues,
      };
    });
}

export function loadServiceConfig<E extends z.ZodRawShape>(name: ServiceName, extra: E): ServiceConfig<z.infer<z.ZodObject<E>>> {
  return loadConfig(serviceConfigSchema(name, extra));
}
