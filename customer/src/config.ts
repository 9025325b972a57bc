import { keyFingerprint, loadConfig, privateKeyPem, productionSecretProblem, serviceConfigSchema, type ServiceConfig, type SigningSettings } from '@shop/common';
import { z } from 'zod';

export const customerEnv = {
  /** Signs access tokens: customer is the only service that holds it. */
  JWT_PRIVATE_KEY: privateKeyPem,
  /** An admin account created at start-up when both are set. */
  ADMIN_EMAIL: z.email().optional(),
  ADMIN_PASSWORD: z.string().min(8).max(72).optional(),
  /** How long a refresh token may wait to be used; each use gives a new one. A session idle for longer ends. */
  REFRESH_TOKEN_EXPIRES_IN: z
    .string()
    .regex(/^\d+[smhd]?$/, 'must be a duration like 14d')
    .default('14d'),
  /** bcrypt work factor: each step doubles the cost of a log-in, for us and for an attacker. */
  BCRYPT_COST: z.coerce.number().int().min(4).max(15).default(10),
  /** Log-ins per client address per minute (0: no limit). */
  LOGIN_LIMIT_PER_IP: z.coerce.number().int().min(0).default(30),
  /** Wrong passwords per account from one client address per 15 minutes (an owner elsewhere is never locked out). */
  LOGIN_FAILURES_PER_ACCOUNT: z.coerce.number().int().min(0).default(10),
  /** Sign-ups per client address per 10 minutes. */
  SIGNUP_LIMIT_PER_IP: z.coerce.number().int().min(0).default(20),
};

export type CustomerConfig = ServiceConfig<z.infer<z.ZodObject<typeof customerEnv>>>;

/**
 * The private key must pair with the public key every service verifies with (which production
 * refuses to be the published development pair). In production the admin account is required,
 * with a password as hard to guess as a secret.
 */
export const customerConfigSchema = serviceConfigSchema('customer', customerEnv).superRefine((config, ctx) => {
  const privateKey = config.extra.JWT_PRIVATE_KEY;
  if (keyFingerprint(privateKey) !== keyFingerprint(config.tokens.publicKey)) {
    ctx.addIssue({ code: 'custom', path: ['JWT_PRIVATE_KEY'], message: 'does not pair with JWT_PUBLIC_KEY' });
  }
  if (config.nodeEnv !== 'production') return;
  if (!config.extra.ADMIN_EMAIL) ctx.addIssue({ code: 'custom', path: ['ADMIN_EMAIL'], message: 'is required in production' });
  const problem = productionSecretProblem('ADMIN_PASSWORD', config.extra.ADMIN_PASSWORD);
  if (problem) ctx.addIssue({ code: 'custom', path: ['ADMIN_PASSWORD'], message: problem });
});
/** What customer signs access tokens with: the verifying settings and its private key. */
export const signingSettings = (config: CustomerConfig): SigningSettings => ({ ...config.tokens, privateKey: config.extra.JWT_PRIVATE_KEY });

export const loadCustomerConfig = (): CustomerConfig => loadConfig(customerConfigSchema);
