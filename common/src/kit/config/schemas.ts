import type { KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import { z } from 'zod';
import { parsePrivateKey, parsePublicKey } from '../auth/keys';

/** A boolean from the environment: only the words people write for it. */
export const envBoolean = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((value) => value === 'true' || value === '1' || value === 'yes');

export const port = z.coerce.number().int().min(0).max(65535);

export const mongoUrl = z.string().regex(/^mongodb(\+srv)?:\/\//, 'must be a mongodb:// URL');

/** An address to listen on: an IPv4 or IPv6 address (0.0.0.0 or :: for every interface). */
export const bindAddress = z.string().refine((value) => isIP(value) !== 0, 'must be an IP address, e.g. 127.0.0.1 or 0.0.0.0');

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);
/** An IP address, a CIDR range (`10.1.0.0/16`), or one of Express's names for a range. */
function isProxyEntry(entry: string): boolean {
  if (PROXY_NAMES.has(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
}

/** Comma-separated addresses whose X-Forwarded-For is believed (Express "trust proxy"). */
export const trustedProxies = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean),
  )
  .refine((entries) => entries.every(isProxyEntry), 'must be IP addresses, CIDR ranges or loopback/linklocal/uniquelocal, comma-separated');

/** A PEM key, parsed once at start-up: a bad key stops the service with one line saying why. */
function pemKey(parse: (value: string) => KeyObject) {
  return z.string().transform((value, ctx) => {
    try {
      return parse(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  });
}
export const publicKeyPem = pemKey(parsePublicKey);
export const privateKeyPem = pemKey(parsePrivateKey);

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
  /** Verifies access tokens. Every service has it; only customer has the private key that signs. */
  JWT_PUBLIC_KEY: publicKeyPem,
  JWT_ISSUER: z.string().min(1).default('microservices-shop'),
  JWT_AUDIENCE: z.string().min(1).default('microservices-shop-api'),
  BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/i, 'must be a size like 100kb')
    .default('100kb'),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(5000),
  /**
   * Counts the database commands this process sends, by collection and command, in /metrics.
   * Off by default: the driver's command monitoring decodes every reply a second time.
   */
  DB_COMMAND_METRICS: envBoolean.default(false),
  /**
   * Loopback unless configured: only the gateway may call a service, and a service reachable from
   * elsewhere would let anyone skip the gateway's limits.
   */
  BIND_ADDRESS: bindAddress.default('127.0.0.1'),
  /**
   * The gateway's address(es): only their X-Forwarded-For names the client, which is what rate
   * limits count. Anyone else is counted by their own address, whatever header they send.
   */
  TRUSTED_PROXIES: trustedProxies.default(['loopback']),
});

export type ServiceEnv = z.infer<typeof serviceEnvSchema>;
