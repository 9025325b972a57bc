import { DEFAULT_PORTS, loadConfig, port } from '@shop/common/web';
import { z } from 'zod';

/** One or more base URLs, comma-separated: several instances are used in turn. */
const upstreams = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value) =>
      value
        .split(',')
        .map((url) => url.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' })).min(1));

export const gatewayConfigSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    LOG_LEVEL: z.enum(['error', 'warn', 'info', 'http', 'debug']).default('info'),
    GATEWAY_PORT: port.default(DEFAULT_PORTS.gateway),
    /** The gateway's Prometheus metrics on this loopback port; unset: none. Never on the public port. */
    GATEWAY_METRICS_PORT: port.optional(),
    CUSTOMER_URL: upstreams(`http://127.0.0.1:${DEFAULT_PORTS.customer}`),
    PRODUCTS_URL: upstreams(`http://127.0.0.1:${DEFAULT_PORTS.products}`),
    SHOPPING_URL: upstreams(`http://127.0.0.1:${DEFAULT_PORTS.shopping}`),
    /** Browser origins allowed to call the API, comma-separated; none when empty. */
    CORS_ORIGINS: z
      .string()
      .default('')
      .transform((value) =>
        value
          .split(',')
          .map((origin) => origin.trim())
          .filter(Boolean),
      ),
    BODY_LIMIT: z
      .string()
      .regex(/^\d+(b|kb|mb)$/i)
      .default('100kb'),
    /** How long a service may take to answer before the gateway gives up with 504. */
    PROXY_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
    SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(5000),
    /** Requests per client address per minute, over all paths (0: no limit). */
    RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).default(3000),
    /** Express "trust proxy" for a load balancer in front of the gateway; off: the gateway is the edge. */
    TRUST_PROXY: z.string().default('false'),
  })
  .transform((env) => ({
    nodeEnv: env.NODE_ENV,
    logLevel: env.LOG_LEVEL,
    port: env.GATEWAY_PORT,
    metricsPort: env.GATEWAY_METRICS_PORT,
    services: { customer: env.CUSTOMER_URL, products: env.PRODUCTS_URL, shopping: env.SHOPPING_URL },
    corsOrigins: env.CORS_ORIGINS,
    bodyLimit: env.BODY_LIMIT,
    proxyTimeoutMs: env.PROXY_TIMEOUT_MS,
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    rateLimitPerMinute: env.RATE_LIMIT_PER_MINUTE,
    trustProxy: env.TRUST_PROXY === 'false' ? false : env.TRUST_PROXY === 'true' ? true : env.TRUST_PROXY,
  }));

export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;
export type UpstreamName = keyof GatewayConfig['services'];

export const loadGatewayConfig = (): GatewayConfig => loadConfig(gatewayConfigSchema);
