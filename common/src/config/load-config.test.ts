import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import dotenv from 'dotenv';
import { serviceConfigSchema } from './service-config';
import { ConfigError, parseConfig, readEnvFiles, readFileVariables } from './load-config';
import { estimatedSecretBits, productionSecretProblem } from './secrets';

const valid = { MONGO_URL: 'mongodb://127.0.0.1:27017', AMQP_URL: 'amqp://127.0.0.1', JWT_SECRET: 'x'.repeat(32) };

describe('config', () => {
  test('When the environment is complete, then defaults fill the rest and the service gets its own database', () => {
    const config = parseConfig(serviceConfigSchema('customer', {}), valid);
    expect(config).toMatchObject({ port: 8001, dbName: 'customer', mongoUrl: valid.MONGO_URL, exchange: 'shop.events', queue: 'customer', bodyLimit: '100kb' });
    expect(config.tokens).toMatchObject({ secret: valid.JWT_SECRET, expiresIn: '1h' });
  });

  test('When nothing says otherwise, then a service listens on loopback and believes X-Forwarded-For from loopback only', () => {
    expect(parseConfig(serviceConfigSchema('products', {}), valid)).toMatchObject({ bindAddress: '127.0.0.1', trustedProxies: ['loopback'] });
    const container = parseConfig(serviceConfigSchema('products', {}), { ...valid, BIND_ADDRESS: '0.0.0.0', TRUSTED_PROXIES: '172.28.0.10, fd00::/64' });
    expect(container).toMatchObject({ bindAddress: '0.0.0.0', trustedProxies: ['172.28.0.10', 'fd00::/64'] });
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
    [{ BIND_ADDRESS: 'everywhere' }, 'BIND_ADDRESS: must be an IP address'],
    [{ TRUSTED_PROXIES: '10.0.0.1, the gateway' }, 'TRUSTED_PROXIES: must be IP addresses'],
    [{ TRUSTED_PROXIES: '10.0.0.0/33' }, 'TRUSTED_PROXIES: must be IP addresses'],
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

describe('config in production', () => {
  const strong = randomBytes(32).toString('base64');
  const production = { ...valid, NODE_ENV: 'production', JWT_SECRET: strong };
  const envDev = dotenv.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', '.env.dev'), 'utf8'));
  const parse = (env: Record<string, string | undefined>) => () => parseConfig(serviceConfigSchema('shopping', {}), env);

  test('When JWT_SECRET is random, then the service starts', () => {
    expect(parse(production)().tokens.secret).toBe(strong);
  });

  test.each([
    ['a development value (.env.dev)', envDev.JWT_SECRET, 'is a development value'],
    ['32 times "a"', 'a'.repeat(32), 'is too predictable'],
    ['a small alphabet', 'abab'.repeat(16), 'is too predictable'],
    ['16 random bytes in hex (an estimate asks for more characters: 64 hex digits pass)', randomBytes(16).toString('hex'), 'is too predictable'],
  ])('When JWT_SECRET is %s, then one line refuses it and says why', (_name, secret, why) => {
    expect(parse({ ...production, JWT_SECRET: secret })).toThrow(new RegExp(`^invalid configuration: JWT_SECRET: ${why}[^\n]*$`));
    expect(parse({ ...production, NODE_ENV: 'development', JWT_SECRET: secret })).not.toThrow();
  });

  test('When a secret of .env.dev or the tests would reach production, then it is refused', () => {
    for (const name of ['JWT_SECRET', 'ADMIN_PASSWORD']) {
      expect({ name, problem: productionSecretProblem(name, envDev[name]) }).toEqual({ name, problem: expect.stringContaining('development value') });
    }
  });

  test('When randomness is estimated, then repeats and small alphabets count for little and random bytes for much', () => {
    expect(estimatedSecretBits('a'.repeat(64))).toBe(0);
    expect(estimatedSecretBits('ab'.repeat(32))).toBe(64);
    expect(estimatedSecretBits(randomBytes(32).toString('base64'))).toBeGreaterThan(180);
  });

  describe('env files', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'env-files-'));
    fs.writeFileSync(path.join(dir, '.env'), 'BODY_LIMIT=50kb\n');
    fs.writeFileSync(path.join(dir, '.env.dev'), 'JWT_SECRET=from-env-dev\nADMIN_PASSWORD=from-env-dev\n');
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    test('When NODE_ENV is production, then .env is read and .env.dev never', () => {
      const env: NodeJS.ProcessEnv = { NODE_ENV: 'production' };
      readEnvFiles(dir, env);
      expect(env).toEqual({ NODE_ENV: 'production', BODY_LIMIT: '50kb' });
      const dev: NodeJS.ProcessEnv = {};
      readEnvFiles(dir, dev);
      expect(dev).toMatchObject({ BODY_LIMIT: '50kb', JWT_SECRET: 'from-env-dev' });
    });

    test('When a secret is given as <NAME>_FILE, then it is read from that file, without its final line break', () => {
      const file = path.join(dir, 'jwt_secret');
      fs.writeFileSync(file, `${strong}\n`);
      const env: NodeJS.ProcessEnv = { JWT_SECRET_FILE: file };
      readFileVariables(env);
      expect(env.JWT_SECRET).toBe(strong);
      expect(() => readFileVariables({ JWT_SECRET: 'x', JWT_SECRET_FILE: file })).toThrow('set JWT_SECRET or JWT_SECRET_FILE, not both');
      expect(() => readFileVariables({ ADMIN_PASSWORD_FILE: path.join(dir, 'missing') })).toThrow(ConfigError);
    });
  });
});
