import { randomBytes } from 'node:crypto';
import { parseConfig } from '@shop/common';
import { customerConfigSchema } from './config';

const production = {
  NODE_ENV: 'production',
  MONGO_URL: 'mongodb://127.0.0.1:27017',
  AMQP_URL: 'amqp://127.0.0.1',
  JWT_SECRET: randomBytes(32).toString('base64'),
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
