import { createHash, createHmac, generateKeyPairSync } from 'node:crypto';
import bcrypt from 'bcryptjs';
import jwt from 'jsonwebtoken';
import { signAccessToken, verifyAccessToken } from '@shop/common';
import { Types } from 'mongoose';
import { testKeys, testServiceConfig, testSigning, uniqueTestName } from '@shop/common/testing';
import request from 'supertest';
import { customerEnv, type CustomerConfig } from './config';
import { CustomerRepository } from './database/customer-repository';
import { startCustomerService, type CustomerService } from './service';

let service: CustomerService;
let config: CustomerConfig;
let http: ReturnType<typeof request>;

beforeAll(async () => {
  config = testServiceConfig('customer', customerEnv, uniqueTestName('security'), {
    BCRYPT_COST: '4',
    LOGIN_LIMIT_PER_IP: '5',
    LOGIN_FAILURES_PER_ACCOUNT: '3',
    SIGNUP_LIMIT_PER_IP: '4',
  });
  service = await startCustomerService(config, { handleSignals: false });
  http = request(service.server.server);
});

afterAll(async () => {
  await service.shutdown();
});

// The services trust the gateway's X-Forwarded-For (loopback here): each test speaks from its own address.
let addresses = 0;
const from = () => ({ 'X-Forwarded-For': `10.0.${Math.floor(++addresses / 250)}.${addresses % 250}` });

async function account(ip = from()): Promise<{ id: string; token: string; refreshToken: string; email: string }> {
  const email = `sec${++addresses}@example.com`;
  const res = await http.post('/customer/signup').set(ip).send({ email, password: 'a good password' }).expect(201);
  return { ...res.body, email };
}

describe('customer: abuse limits', () => {
  test('When one address tries too many log-ins, then 429 with Retry-After, while another address still gets in', async () => {
    const { email } = await account();
    const ip = from();
    for (let i = 0; i < 5; i++) await http.post('/customer/login').set(ip).send({ email, password: 'a good password' }).expect(200);
    const limited = await http.post('/customer/login').set(ip).send({ email, password: 'a good password' }).expect(429);
    expect(limited.body.error.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    await http.post('/customer/login').set(from()).send({ email, password: 'a good password' }).expect(200);
  });

  test("When one address guesses an account's password too often, then that address is limited for it, while the owner from another address still logs in", async () => {
    const { email } = await account();
    const attacker = from();
    for (let i = 0; i < 3; i++)
      await http
        .post('/customer/login')
        .set(attacker)
        .send({ email: email.toUpperCase(), password: `guess ${i}xx` })
        .expect(401);
    const limited = await http.post('/customer/login').set(attacker).send({ email, password: 'a good password' }).expect(429);
    expect(limited.body.error.code).toBe('RATE_LIMITED');
    await http.post('/customer/login').set(from()).send({ email, password: 'a good password' }).expect(200);
  });

  test('When log-ins are malformed (400) or succeed, then they never count as failures', async () => {
    const { email } = await account();
    const ip = from();
    await http.post('/customer/login').set(ip).send({ email, password: '' }).expect(400);
    await http
      .post('/customer/login')
      .set(ip)
      .send({ email, password: ['x'] })
      .expect(400);
    await http.post('/customer/login').set(ip).send({ email, password: 'a good password' }).expect(200);
    // Two wrong passwords within the limit of three, from the same address: neither is refused.
    await http.post('/customer/login').set(ip).send({ email, password: 'guess 1xx' }).expect(401);
    await http.post('/customer/login').set(ip).send({ email, password: 'guess 2xx' }).expect(401);
  });

  test('When one address signs up too often, then 429', async () => {
    const ip = from();
    for (let i = 0; i < 4; i++) await account(ip);
    await http
      .post('/customer/signup')
      .set(ip)
      .send({ email: `burst${Date.now()}@example.com`, password: 'a good password' })
      .expect(429);
  });
});

describe('customer: tokens', () => {
  const profile = (token: string) => http.get('/customer/profile').set('Authorization', `Bearer ${token}`);

  test('When a token is missing, tampered, unsigned, expired, without expiry, too long-lived, or for another audience or issuer, then 401', async () => {
    const { id, token } = await account();
    await profile(token).expect(200);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
    const { issuer, audience } = config.tokens;
    const key = testKeys().privateKey;
    const rs256 = { algorithm: 'RS256' as const, subject: id, issuer, audience };
    const publicPem = testKeys().publicKeyPem;
    const confused = `${Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url')}.${payload}`;
    const cases = {
      tampered: `${header}.${forged}.${signature}`,
      'alg none': none,
      expired: jwt.sign({ role: 'customer' }, key, { ...rs256, expiresIn: -10 }),
      'wrong audience': jwt.sign({ role: 'customer' }, key, { ...rs256, audience: 'another-api' }),
      'wrong issuer': jwt.sign({ role: 'customer' }, key, { ...rs256, issuer: 'someone' }),
      'another key pair': jwt.sign({ role: 'customer' }, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey, { ...rs256, expiresIn: 60 }),
      'HS256 with the public key as secret': `${confused}.${createHmac('sha256', publicPem).update(confused).digest('base64url')}`,
      'RS512 with our key': jwt.sign({ role: 'customer' }, key, { ...rs256, algorithm: 'RS512', expiresIn: 60 }),
      'no expiry': jwt.sign({ role: 'customer' }, key, rs256),
      'a year long': jwt.sign({ role: 'customer' }, key, { ...rs256, expiresIn: '365d' }),
      'no subject': jwt.sign({ role: 'customer' }, key, { algorithm: 'RS256', issuer, audience, expiresIn: 60 }),
      'unknown role': signAccessToken({ customerId: id, role: 'root' as 'admin' }, testSigning(config.tokens)),
    };
    for (const [name, bad] of Object.entries(cases)) {
      const res = await profile(bad);
      expect({ name, status: res.status }).toEqual({ name, status: 401 });
      expect(res.body.error.code).toMatch(/^(INVALID_TOKEN|TOKEN_EXPIRED)$/);
    }
    await http.get('/customer/profile').expect(401);
    await http.get('/customer/profile').set('Authorization', token).expect(401); // not a bearer header
  });
});

describe('customer: accounts cannot be bent', () => {
  test('When a sign-up names a role or other stored fields, then they are ignored', async () => {
    const email = `mass${Date.now()}@example.com`;
    const res = await http
      .post('/customer/signup')
      .set(from())
      .send({ email, password: 'a good password', role: 'admin', passwordHash: 'x', wishlist: ['a'], _id: '65a000000000000000000099' })
      .expect(201);
    const stored = await new CustomerRepository(service.connection).findById(res.body.id);
    expect(stored).toMatchObject({ role: 'customer', wishlist: [] });
    expect(res.body.id).not.toBe('65a000000000000000000099');
    expect(await bcrypt.compare('a good password', stored!.passwordHash)).toBe(true);
  });

  test('When a log-in carries query operators, then 400 and no account is matched', async () => {
    await account();
    await http
      .post('/customer/login')
      .set(from())
      .send({ email: { $gt: '' }, password: 'a good password' })
      .expect(400);
    await http
      .post('/customer/login')
      .set(from())
      .send({ email: { $ne: null }, password: { $ne: null } })
      .expect(400);
    await http
      .post('/customer/login')
      .set(from())
      .send({ email: 'a@b.c', password: ['x'] })
      .expect(400);
  });

  test('When the email is unknown, then the password is still checked against a hash, so both answers cost the same', async () => {
    const { email } = await account();
    const compare = jest.spyOn(bcrypt, 'compare');
    try {
      await http
        .post('/customer/login')
        .set(from())
        .send({ email: `nobody-${Date.now()}@example.com`, password: 'a good password' })
        .expect(401);
      await http.post('/customer/login').set(from()).send({ email, password: 'wrong password' }).expect(401);
      expect(compare).toHaveBeenCalledTimes(2);
      for (const [, hash] of compare.mock.calls) expect(String(hash)).toMatch(/^\$2[aby]\$04\$/);
    } finally {
      compare.mockRestore();
    }
  });

  test('When a password is easy to guess, then sign-up refuses it with 400 VALIDATION_FAILED saying why, whatever its length', async () => {
    const email = `weak${Date.now()}@example.com`;
    for (const weak of ['password', '12345678', 'qwertyuiop', 'aaaaaaaaaaaaaaaaaaaa', 'iloveyou123', email]) {
      const res = await http.post('/customer/signup').set(from()).send({ email, password: weak });
      expect({ weak, status: res.status, code: res.body.error?.code }).toEqual({ weak, status: 400, code: 'VALIDATION_FAILED' });
      expect(res.body.error.details).toEqual([{ path: 'body.password', message: expect.stringContaining('too easy to guess') }]);
    }
    await http.post('/customer/signup').set(from()).send({ email, password: 'violet tram under ice' }).expect(201);
  });

  test('When a password is longer than bcrypt reads (72 bytes), then sign-up refuses it rather than cutting it', async () => {
    const res = await http
      .post('/customer/signup')
      .set(from())
      .send({ email: `long${Date.now()}@example.com`, password: 'p'.repeat(73) })
      .expect(400);
    expect(res.body.error.details[0]).toMatchObject({ path: 'body.password', message: expect.stringContaining('72 bytes') });
  });
});

describe('customer: the network edge', () => {
  test('When started with the defaults, then the service listens on loopback only', () => {
    expect(service.server.server.address()).toMatchObject({ address: '127.0.0.1' });
  });

  test('When a caller that is not a trusted proxy names a new X-Forwarded-For each time, then it is still counted by its own address', async () => {
    // The test speaks from loopback; this service trusts only a gateway elsewhere (TEST-NET-1, never contacted).
    const edge = await startCustomerService(
      testServiceConfig('customer', customerEnv, uniqueTestName('edge'), {
        BCRYPT_COST: '4',
        LOGIN_LIMIT_PER_IP: '3',
        TRUSTED_PROXIES: '192.0.2.10',
      }),
      { handleSignals: false },
    );
    try {
      const direct = request(edge.server.server);
      const email = `edge${Date.now()}@example.com`;
      await direct.post('/customer/signup').set(from()).send({ email, password: 'a good password' }).expect(201);
      for (let i = 0; i < 3; i++) await direct.post('/customer/login').set(from()).send({ email, password: 'a good password' }).expect(200);
      const limited = await direct.post('/customer/login').set(from()).send({ email, password: 'a good password' }).expect(429);
      expect(limited.body.error.code).toBe('RATE_LIMITED');
    } finally {
      await edge.shutdown();
    }
  });
});

describe('customer: sessions', () => {
  const refresh = (refreshToken: string) => http.post('/customer/token').send({ refreshToken });
  const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
  const tokens = () => service.connection.collection('refresh_tokens');

  test('When a shopper signs up or logs in, then the answer has id, token and a refresh token, stored only as its SHA-256', async () => {
    const { id, token, refreshToken, email } = await account();
    expect({ id, token, refreshToken }).toEqual({ id: expect.any(String), token: expect.any(String), refreshToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    const login = await http.post('/customer/login').set(from()).send({ email, password: 'a good password' }).expect(200);
    expect(Object.keys(login.body).sort()).toEqual(['id', 'refreshToken', 'token']);
    const stored = await tokens().findOne({ _id: sha256(refreshToken) as never });
    expect(stored).toMatchObject({ customerId: id, rotatedAt: null, revokedAt: null });
    expect(JSON.stringify(await tokens().find({ customerId: id }).toArray())).not.toContain(refreshToken);
  });

  test('When a refresh token is exchanged, then the new pair works and the old refresh token is refused with 401', async () => {
    const { id, refreshToken } = await account();
    const renewed = await refresh(refreshToken).expect(200);
    expect(renewed.body).toEqual({ id, token: expect.any(String), refreshToken: expect.any(String) });
    expect(renewed.body.refreshToken).not.toBe(refreshToken);
    await http.get('/customer/profile').set('Authorization', `Bearer ${renewed.body.token}`).expect(200);
    expect((await refresh(refreshToken).expect(401)).body.error.code).toBe('INVALID_REFRESH_TOKEN');
  });

  test('When a spent refresh token is used again, then its whole family is revoked: the newest refresh token is refused too', async () => {
    const { refreshToken: first } = await account();
    const second = (await refresh(first).expect(200)).body.refreshToken;
    const third = (await refresh(second).expect(200)).body.refreshToken;
    await refresh(first).expect(401); // the thief, or the owner: either way the copy is out
    await refresh(third).expect(401);
    await refresh(second).expect(401);
  });

  test('When a shopper logs out, then the refresh token is refused, and nobody else can end that session', async () => {
    const { token, refreshToken } = await account();
    const other = await account();
    const bearer = (value: string) => ({ Authorization: `Bearer ${value}` });
    await http.post('/customer/logout').set(bearer(other.token)).send({ refreshToken }).expect(204);
    const renewed = (await refresh(refreshToken).expect(200)).body;
    await http.post('/customer/logout').send({ refreshToken: renewed.refreshToken }).expect(401);
    await http.post('/customer/logout').set(bearer(token)).send({ refreshToken: renewed.refreshToken }).expect(204);
    await refresh(renewed.refreshToken).expect(401);
  });

  test('When the account loses its role or is deleted, then a refresh gives the role it has now, or nothing', async () => {
    const { id, refreshToken } = await account();
    const customers = service.connection.collection('customers');
    await customers.updateOne({ _id: new Types.ObjectId(id) }, { $set: { role: 'admin' } });
    const promoted = (await refresh(refreshToken).expect(200)).body;
    expect(verifyAccessToken(promoted.token, config.tokens).role).toBe('admin');
    await customers.updateOne({ _id: new Types.ObjectId(id) }, { $set: { role: 'customer' } });
    const demoted = (await refresh(promoted.refreshToken).expect(200)).body;
    expect(verifyAccessToken(demoted.token, config.tokens).role).toBe('customer');
    await customers.deleteOne({ _id: new Types.ObjectId(id) });
    await refresh(demoted.refreshToken).expect(401);
  });

  test('When an access token is older than its lifetime, then 401, though its signature is good', async () => {
    const { id } = await account();
    const now = Math.floor(Date.now() / 1000);
    const { issuer, audience } = config.tokens;
    const old = jwt.sign({ role: 'customer', sub: id, iss: issuer, aud: audience, iat: now - 16 * 60, exp: now - 60 }, testKeys().privateKey, { algorithm: 'RS256' });
    expect((await http.get('/customer/profile').set('Authorization', `Bearer ${old}`).expect(401)).body.error.code).toBe('TOKEN_EXPIRED');
  });

  test('When a refresh token is malformed or unknown, then 400 or 401', async () => {
    await http
      .post('/customer/token')
      .send({ refreshToken: { $gt: '' } })
      .expect(400);
    await http.post('/customer/token').send({}).expect(400);
    await refresh('A'.repeat(43)).expect(401);
  });
});
