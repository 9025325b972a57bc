import { loadServiceConfig, serviceConfigSchema, type ServiceConfig } from '@shop/common';
import { z } from 'zod';

export const customerEnv = {
  /** An admin account created at start-up when both are set. */
  ADMIN_EMAIL: z.string().email().optional(),
  ADMIN_PASSWORD: z.string().min(8).max(72).optional(),
  /** bcrypt work factor: each step doubles the cost of a log-in, for us and for an attacker. */
  BCRYPT_COST: z.coerce.number().int().min(4).max(15).default(10),
};

export type CustomerConfig = ServiceConfig<z.infer<z.ZodObject<typeof customerEnv>>>;

export const customerConfigSchema = serviceConfigSchema('customer', customerEnv);
export const loadCustomerConfig = (): CustomerConfig => loadServiceConfig('customer', customerEnv);
