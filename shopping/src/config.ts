import { loadServiceConfig, serviceConfigSchema, type ServiceConfig } from '@shop/common';

export const shoppingEnv = {};

export type ShoppingConfig = ServiceConfig<Record<string, never>>;

export const shoppingConfigSchema = serviceConfigSchema('shopping', shoppingEnv);
export const loadShoppingConfig = (): ShoppingConfig => loadServiceConfig('shopping', shoppingEnv);
