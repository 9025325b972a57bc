import { envBoolean, loadServiceConfig, serviceConfigSchema, type ServiceConfig } from '@shop/common';

export const productsEnv = {
  /** Load the sample catalogue at start-up when the catalogue is empty. */
  SEED_CATALOGUE: envBoolean.default(false),
};

export type ProductsConfig = ServiceConfig<{ SEED_CATALOGUE: boolean }>;

export const productsConfigSchema = serviceConfigSchema('products', productsEnv);
export const loadProductsConfig = (): ProductsConfig => loadServiceConfig('products', productsEnv);
