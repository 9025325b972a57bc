import { createPublicKey, KeyObject, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import dotenv from 'dotenv';
import { serviceConfigSchema } from './service-config';
import { ConfigError, parseConfig, readEnvFiles, readFileVariables } from './load-config';
import { estimatedSecretBits, productionKeyProblem, productionSecretProblem } from './secrets';
import { parsePrivateKey, parsePublicKey } from '../auth/keys';
import { testKeys } from '../../testing/test-settings';

const valid = { MONGO_URL: 'mongodb://127.0.0.1:27017', AMQP_URL: 'amqp://127.0.0.1', JWT_PUBLIC_KEY: testKeys().publicKeyPem };

/** Every value in a config, however deep. */
function valuesOf(node: unknown): unknown[] {
  if (node && typeof node === 'object' && node.constructor === Object) return Object.values(node).flatMap((value) => [value, ...valuesOf(value)]);
  return [];
}

describe('config', () => {
  test('When the environment is complete, then defaults fill the rest and the service gets its own database', () => {
    const config = parseConfig(serviceConfigSchema('customer', {}), valid);
    expect(config).toMatchObject({ port: 8001, dbName: 'customer', mongoUrl: valid.MONGO_URL, exchange: 'shop.events', queue: 'customer', bodyLimit: '100kb' });
    expect(config.tokens).toMatchObject({ issuer: 'microservices-shop', audience: 'microservices-shop-api', expiresIn: '15m' });
    expect(config.tokens.publicKey.equals(testKeys().publicKey)).toBe(true);
  });

  test('When a service other than customer is given the private key too, then its config holds none: it can verify tokens, never sign one', () => {
    for (const name of ['products', 'shopping'] as const) {
      const config = parseConfig(serviceConfigSchema(name, {}), { ...valid, JWT_PRIVATE_KEY: testKeys().privateKeyPem });
      const keys = valuesOf(config).filter((value) => value instanceof KeyObject) as KeyObject[];
      expect({ name, keys: keys.map((key) => key.type) }).toEqual({ name, keys: ['public'] });
    }
  });

  test('When JWT_EXPIRES_IN asks for access tokens of more than 15 minutes, then it is refused', () => {
    expect(parseConfig(serviceConfigSchema('shopping', {}), { ...valid, JWT_EXPIRES_IN: '10m' }).tokens.expiresIn).toBe('10m');
    expect(() => parseConfig(serviceConfigSchema('shopping', {}), { ...valid, JWT_EXPIRES_IN: '1h' })).toThrow('JWT_EXPIRES_IN: must be at most 15m');
  });

  test('When nothing says otherwise, then a service listens on loopback and believes X-Forwarded-For from loopback only', () => {
    expect(parseConfig(serviceConfigSchema('products', {}), valid)).toMatchObject({ bindAddress: '127.0.0.1', trustedProxies: ['loopback'] });
    const container = parseConfig(serviceConfigSchema('products', {}), { ...valid, BIND_ADDRESS: '0.0.0.0', TRUSTED_PROXIES: '172.28.0.10, fd00::/64' });
    expect(container).toMatchObject({ bindAddress: '0.0.0.0', trustedProxies: ['172.28.0.10', 'fd00::/64'] });
  });

  test('When a service has its own MONGO URL, then it wins over MONGO_URL', () => {
    const config = parseConfig(serviceConfigSchema('shopping', {}), { ...valid, SHOPPING_MONGO_URL: 'mongodb://other:1', SHOPPING_DB_NAME: 'orders' });
    expect(config).toMatchObject({ mongoUrl: 'mongodb://other:1', dbName: 'orders' });
  });

  test.each([
    [{ JWT_PUBLIC_KEY: undefined }, 'JWT_PUBLIC_KEY is required'],
    [{ JWT_PUBLIC_KEY: 'x'.repeat(40) }, 'JWT_PUBLIC_KEY: must be a public key in PEM'],
    [{ JWT_PUBLIC_KEY: testKeys().privateKeyPem }, 'JWT_PUBLIC_KEY: is a private key'],
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
  const production = { ...valid, NODE_ENV: 'production' };
  const envDev = dotenv.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', '..', '.env.dev'), 'utf8'));
  const parse = (env: Record<string, string | undefined>) => () => parseConfig(serviceConfigSchema('shopping', {}), env);

  test('When the public key is of a pair of its own, then the service starts', () => {
    expect(parse(production)().tokens.publicKey.equals(testKeys().publicKey)).toBe(true);
  });

  test('When the public key is the development one of .env.dev, then one line refuses it in production only', () => {
    const withDevKey = { ...production, JWT_PUBLIC_KEY: envDev.JWT_PUBLIC_KEY };
    expect(parse(withDevKey)).toThrow(/^invalid configuration: JWT_PUBLIC_KEY: is the development key pair published in this repository[^\n]*$/);
    expect(parse({ ...withDevKey, NODE_ENV: 'development' })).not.toThrow();
    // Either half names the pair, in whatever PEM form.
    expect(productionKeyProblem(parsePrivateKey(envDev.JWT_PRIVATE_KEY!))).toContain('development key pair');
    const pkcs1 = createPublicKey(envDev.JWT_PUBLIC_KEY!).export({ type: 'pkcs1', format: 'pem' }).toString();
    expect(productionKeyProblem(parsePublicKey(pkcs1))).toContain('development key pair');
  });

  test.each([
    ['32 times "a"', 'a'.repeat(32), 'is too predictable'],
    ['a small alphabet', 'abab'.repeat(16), 'is too predictable'],
    ['16 random bytes in hex (an estimate asks for more characters: 64 hex digits pass)', randomBytes(16).toString('hex'), 'is too predictable'],
  ])('When a secret is %s, then it is refused and the reason says why', (_name, secret, why) => {
    expect(productionSecretProblem('ADMIN_PASSWORD', secret)).toMatch(new RegExp(`^${why}`));
    expect(productionSecretProblem('ADMIN_PASSWORD', strong)).toBeUndefined();
  });

  test('When a secret of .env.dev or the tests would reach production, then it is refused', () => {
    for (const value of [envDev.ADMIN_PASSWORD, 'admin-password']) {
      expect({ value, problem: productionSecretProblem('ADMIN_PASSWORD', value) }).toEqual({ value, problem: expect.stringContaining('development value') });
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
    fs.writeFileSync(path.join(dir, '.env.dev'), 'ADMIN_PASSWORD=from-env-dev\n');
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    test('When NODE_ENV is production, then .env is read and .env.dev never', () => {
      const env: NodeJS.ProcessEnv = { NODE_ENV: 'production' };
      readEnvFiles(dir, env);
      expect(env).toEqual({ NODE_ENV: 'production', BODY_LIMIT: '50kb' });
      const dev: NodeJS.ProcessEnv = {};
      readEnvFiles(dir, dev);
      expect(dev).toMatchObject({ BODY_LIMIT: '50kb', ADMIN_PASSWORD: 'from-env-dev' });
    });

    test('When the env files are read, then nothing is printed: a start shows only what the shop says', () => {
      const printed = (['log', 'info', 'warn', 'error'] as const).map((method) => jest.spyOn(console, method).mockImplementation(() => undefined));
      try {
        readEnvFiles(dir, {});
        for (const print of printed) expect(print).not.toHaveBeenCalled();
      } finally {
        for (const print of printed) print.mockRestore();
      }
    });

    test('When a secret is given as <NAME>_FILE, then it is read from that file, without its final line break', () => {
      const file = path.join(dir, 'jwt_private_key');
      fs.writeFileSync(file, testKeys().privateKeyPem);
      const env: NodeJS.ProcessEnv = { JWT_PRIVATE_KEY_FILE: file };
      readFileVariables(env);
      expect(env.JWT_PRIVATE_KEY).toBe(testKeys().privateKeyPem.replace(/\n$/, ''));
      expect(() => readFileVariables({ JWT_PRIVATE_KEY: 'x', JWT_PRIVATE_KEY_FILE: file })).toThrow('set JWT_PRIVATE_KEY or JWT_PRIVATE_KEY_FILE, not both');
      expect(() => readFileVariables({ ADMIN_PASSWORD_FILE: path.join(dir, 'missing') })).toThrow(ConfigError);
    });
  });
});
