import { serviceConfigSchema } from './service-config';
import { ConfigError, parseConfig } from './load-config';

const valid = { MONGO_URL: 'mongodb://127.0.0.1:27017', AMQP_URL: 'amqp://127.0.0.1', JWT_SECRET: 'x'.repeat(32) };

describe('config', () => {
  test('When the environment is complete, then defaults fill the rest and the service gets its own database', () => {
    const config = parseConfig(serviceConfigSchema('customer', {}), valid);
    expect(config).toMatchObject({ port: 8001, dbName: 'customer', mongoUrl: valid.MONGO_URL, exchange: 'shop.events', queue: 'customer', bodyLimit: '100kb' });
    expect(config.tokens).toMatchObject({ secret: valid.JWT_SECRET, expiresIn: '1h' });
  });

  test("When a service has its own MONGO URL, then it wins over MONGO_URL", () => {
    const config = parseConfig(serviceConfigSchema('shopping', {}), { ...valid, SHOPPING_MONGO_URL: 'mongodb://other:1', SHOPPING_DB_NAME: 'orders' });
    expect(config).toMatchObject({ mongoUrl: 'mongodb://other:1', dbName: 'orders' });
  });

  test.each([
    [{ JWT_SECRET: undefined }, 'JWT_SECRET is required'],
    [{ JWT_SECRET: 'short' }, 'JWT_SECRET: must be at least 32 characters'],
    [{ MONGO_URL: undefined }, 'MONGO_URL'],
    [{ AMQP_URL: 'http://nope' }, 'AMQP_URL: must be an amqp:// URL'],
    [{ PRODUCTS_PORT: 'eighty' }, 'PRODUCTS_PORT'],
  ])('When a variable is missing or malformed (%o), then one error line names it', (change, message) => {
    const env = { ...valid, ...change } as Record<string, string | undefined>;
    const attempt = () => parseConfig(serviceConfigSchema('products', {}), env);
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(message);
    try {
      attempt();
    } catch (error) {
      expect((error as Error).message.split('\n')).toHaveLength(1);
    }
  });
});
