import { generateKeyPairSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import dotenv from 'dotenv';
import { parseConfig } from '@shop/common';
import { testKeys } from '@shop/common/testing';
import { customerConfigSchema } from './config';

const production = {
  NODE_ENV: 'production',
  MONGO_URL: 'mongodb://127.0.0.1:27017',
  AMQP_URL: 'amqp://127.0.0.1',
  JWT_PUBLIC_KEY: testKeys().publicKeyPem,
  JWT_PRIVATE_KEY: testKeys().privateKeyPem,
  ADMIN_EMAIL: 'admin@shop.example',
  ADMIN_PASSWORD: randomBytes(24).toString('base64'),
};
const parse = (env: Record<string, string | undefined>) => () => parseConfig(customerConfigSchema, env);

describe('customer config in production', () => {
  test('When the admin password is random, then the service starts with it', () => {
    expect(parse(production)().extra.ADMIN_PASSWORD).toBe(production.ADMIN_PASSWORD);
  });

  test.each([
    ['missing', undefined, 'is required in production'],
    ['the .env.dev value', 'admin-password-change-me', 'is a development value'],
    ['guessable', 'Password123!', 'is too predictable'],
  ])('When ADMIN_PASSWORD is %s, then one line refuses it', (_name, password, why) => {
    expect(parse({ ...production, ADMIN_PASSWORD: password })).toThrow(new RegExp(`^invalid configuration: ADMIN_PASSWORD: ${why}[^\\n]*$`));
  });

  test('When no admin email is set, then it is refused too (the admin account is the way in)', () => {
    expect(parse({ ...production, ADMIN_EMAIL: undefined })).toThrow('ADMIN_EMAIL: is required in production');
  });
});

describe('customer config: the signing key', () => {
  const envDev = dotenv.parse(fs.readFileSync(path.join(__dirname, '..', '..', '.env.dev'), 'utf8'));

  test('When the private key is missing or does not pair with the public key, then one line refuses it', () => {
    expect(parse({ ...production, JWT_PRIVATE_KEY: undefined })).toThrow(/^invalid configuration: JWT_PRIVATE_KEY is required$/);
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(parse({ ...production, JWT_PRIVATE_KEY: other })).toThrow(/^invalid configuration: JWT_PRIVATE_KEY: does not pair with JWT_PUBLIC_KEY$/);
  });

  test('When the key pair is the development one of .env.dev, then production refuses it and development takes it', () => {
    const devPair = { JWT_PRIVATE_KEY: envDev.JWT_PRIVATE_KEY, JWT_PUBLIC_KEY: envDev.JWT_PUBLIC_KEY };
    expect(parse({ ...production, ...devPair })).toThrow(/^invalid configuration: JWT_PUBLIC_KEY: is the development key pair[^\n]*$/);
    expect(parse({ ...production, ...devPair, NODE_ENV: 'development' })().extra.JWT_PRIVATE_KEY.type).toBe('private');
  });
});
