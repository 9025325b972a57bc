import { createHmac, generateKeyPairSync } from 'node:crypto';
import { eventually, testKeys } from '@shop/common/testing';
import jwt from 'jsonwebtoken';
import http from 'node:http';
import request from 'supertest';
import { freePort } from '../scripts/infra/processes';
import { ADMIN, startShop, type RunningShop } from './support/shop';

/**
 * Every endpoint through the gateway, fed what hostile or careless clients send. Each answer must
 * be a 4xx JSON error; afterwards every service is up and no data has changed.
 */
let shop: RunningShop;
let api: ReturnType<typeof request>;
let customer: { token: string; id: string };
let adminToken: string;
let productId: string;
let metricsPort: number;

beforeAll(async () => {
  metricsPort = await freePort();
  shop = await startShop('hostile', {
    GATEWAY_METRICS_PORT: String(metricsPort),
    // Wrong passwords are limited per account and address; the gateway believes this test's
    // X-Forwarded-For (it comes from loopback), so that the test can speak from several addresses.
    LOGIN_FAILURES_PER_ACCOUNT: '3',
    TRUST_PROXY: 'loopback',
  });
  api = request(shop.gatewayUrl);
  const signup = await api
    .post('/customer/signup')
    .send({ email: `hostile-${Date.now()}@example.com`, password: 'a good password' })
    .expect(201);
  customer = signup.body;
  adminToken = (await api.post('/customer/login').send(ADMIN).expect(200)).body.token;
  productId = (await api.get('/').expect(200)).body.products[0]._id;
  const auth = { Authorization: `Bearer ${customer.token}` };
  await api.post('/customer/address').set(auth).send({ street: '1 Safe St', postalCode: '111', city: 'Calm', country: 'NL' }).expect(201);
  await eventually(() => api.put('/wishlist').set(auth).send({ _id: productId }).expect(200), 20_000);
  await eventually(() => api.put('/cart').set(auth).send({ _id: productId, qty: 2 }).expect(200), 20_000);
  // The customer view learns of the cart by an event: wait, so that the snapshot is settled.
  await eventually(async () => expect((await api.get('/customer/profile').set(auth).expect(200)).body.cart).toHaveLength(1), 20_000);
}, 120_000);

afterAll(async () => {
  await shop?.stop();
});

type Kind = 'text' | 'phone' | 'email' | 'password' | 'objectId' | 'quantity' | 'count' | 'money' | 'flag' | 'txn';
type Body = Record<string, unknown>;

const EVERYWHERE: unknown[] = [
  null,
  { $gt: '' },
  { $where: 'sleep(1000)' },
  JSON.parse('{"__proto__":{"admin":true}}'),
  { constructor: { prototype: { admin: true } } },
  ['a', 'b'],
];
const BY_KIND: Record<Kind, unknown[]> = {
  text: [12345, true, '', ' ', 'x'.repeat(20_000)],
  phone: [12345, true, 'x'.repeat(20_000), 'call me', '😀'],
  email: ['not-an-email', '😀@😀', '', 'a@b', 42, 'x'.repeat(300) + '@example.com'],
  password: ['short', 'p'.repeat(73), '😀'.repeat(19), 12345678, 'password', '12345678', 'qwertyuiop'],
  objectId: ['abc', '😀'.repeat(12), 'zzzzzzzzzzzzzzzzzzzzzzzz', '', 123, '65a00000000000000000000g'],
  quantity: [0, -1, 1.5, 'NaN', '2', 1e308, 1001, true, -0.5],
  count: [-1, 1.5, 'NaN', '2', 1e308, true],
  money: [-1, 'NaN', '10', 1e308, false],
  flag: ['yes', 1, 'true'],
  txn: [{}, 'x'.repeat(200), -1, 1.5, true, ''],
};

interface Endpoint {
  method: 'get' | 'post' | 'put' | 'delete';
  path: string;
  auth?: 'customer' | 'admin';
  body?: Body;
  /** The body's fields and what kind of value each takes; optional ones may be left out. */
  fields?: Record<string, { kind: Kind; optional?: boolean }>;
}

const product = { name: 'Hostile', desc: 'd', type: 'tests', banner: '/images/b.jpg', unit: 1, price: 10, available: true, suplier: 's', stock: 5 };
const endpoints = (): Endpoint[] => [
  {
    method: 'post',
    path: '/customer/signup',
    body: { email: 'new-user@example.com', password: 'a good password', phone: '123' },
    fields: { email: { kind: 'email' }, password: { kind: 'password' }, phone: { kind: 'phone', optional: true } },
  },
  { method: 'post', path: '/customer/login', body: { email: 'new-user@example.com', password: 'a good password' }, fields: { email: { kind: 'text' } } },
  {
    method: 'post',
    path: '/customer/address',
    auth: 'customer',
    body: { street: 's', postalCode: 'p', city: 'c', country: 'x' },
    fields: { street: { kind: 'text' }, postalCode: { kind: 'text' }, city: { kind: 'text' }, country: { kind: 'text' } },
  },
  { method: 'put', path: '/wishlist', auth: 'customer', body: { _id: productId }, fields: { _id: { kind: 'objectId' } } },
  { method: 'post', path: '/ids', body: { ids: [productId] }, fields: { ids: { kind: 'objectId' } } },
  {
    method: 'post',
    path: '/product/create',
    auth: 'admin',
    body: product,
    fields: {
      name: { kind: 'text' },
      type: { kind: 'text' },
      unit: { kind: 'money' },
      price: { kind: 'money' },
      available: { kind: 'flag', optional: true },
      stock: { kind: 'count', optional: true },
    },
  },
  { method: 'put', path: `/product/${productId}`, auth: 'admin', body: { price: 11 }, fields: { price: { kind: 'money' } } },
  { method: 'put', path: '/cart', auth: 'customer', body: { _id: productId, qty: 1 }, fields: { _id: { kind: 'objectId' }, qty: { kind: 'quantity' } } },
  { method: 'post', path: '/shopping/order', auth: 'customer', body: { txnNumber: 't' }, fields: { txnNumber: { kind: 'txn', optional: true } } },
];

/** A body with one field replaced by a hostile value (or left out), for each field and value. */
function hostileBodies({ body = {}, fields = {} }: Endpoint): Array<[string, Body]> {
  const variants: Array<[string, Body]> = [
    ['empty body', {}],
    ['array body', [1, 2] as unknown as Body],
    ['string body', 'x' as unknown as Body],
  ];
  for (const [field, { kind, optional }] of Object.entries(fields)) {
    if (!optional) {
      const { [field]: _dropped, ...rest } = body;
      variants.push([`${field} missing`, rest]);
    }
    for (const value of [...EVERYWHERE, ...BY_KIND[kind]]) {
      // A field that is a list (ids) gets the hostile value as its element too.
      const replaced = Array.isArray(body[field]) ? [value] : value;
      if (optional && value === null && kind === 'txn') continue; // txnNumber: null means "none"
      variants.push([`${field} = ${JSON.stringify(value)?.slice(0, 40)}`, { ...body, [field]: replaced }]);
    }
  }
  return variants.filter(([name, variant]) => !(name === 'empty body' && Object.values(fields).every((f) => f.optional)) && variant !== undefined);
}

const HOSTILE_IDS = ['abc', '%24where', encodeURIComponent('😀'), '000', '%00', 'x'.repeat(300), '__proto__', 'constructor', '65a00000000000000000000g'];

function authFor(endpoint: Pick<Endpoint, 'auth'>): Record<string, string> {
  if (endpoint.auth === 'admin') return { Authorization: `Bearer ${adminToken}` };
  if (endpoint.auth === 'customer') return { Authorization: `Bearer ${customer.token}` };
  return {};
}

async function expectClientError(res: request.Response, what: string): Promise<void> {
  expect({ what, status: res.status >= 400 && res.status < 500 ? '4xx' : res.status }).toEqual({ what, status: '4xx' });
  expect(res.headers['content-type']).toMatch(/application\/json/);
  expect(res.body.error).toEqual(expect.objectContaining({ code: expect.stringMatching(/^[A-Z_]+$/), message: expect.any(String) }));
  expect(JSON.stringify(res.body)).not.toMatch(/at \w+ \(|Mongo|Cast to|amqp|stack/i);
}

async function snapshot(): Promise<unknown> {
  const auth = authFor({ auth: 'customer' });
  const [catalogue, profile, cart, orders] = await Promise.all([
    api.get('/').expect(200),
    api.get('/customer/profile').set(auth).expect(200),
    api.get('/shopping/cart').set(auth).expect(200),
    api.get('/shopping/orders').set(auth).expect(200),
  ]);
  return { catalogue: catalogue.body, profile: profile.body, cart: cart.body, orders: orders.body };
}

describe('hostile input through the gateway', () => {
  test('When every endpoint gets malformed, mistyped, oversized or operator-laden input, then each answer is a 4xx JSON error, the services stay up and nothing changes', async () => {
    // The cart is full, so an order request that got through would show in the orders of the snapshot.
    const before = await snapshot();
    let sent = 0;
    for (const endpoint of endpoints()) {
      for (const [name, body] of hostileBodies(endpoint)) {
        const res = await api[endpoint.method](endpoint.path)
          .set(authFor(endpoint))
          .send(body as object);
        await expectClientError(res, `${endpoint.method.toUpperCase()} ${endpoint.path}: ${name}`);
        sent++;
      }
      const what = `${endpoint.method.toUpperCase()} ${endpoint.path}`;
      await expectClientError(
        await api[endpoint.method](endpoint.path).set(authFor(endpoint)).set('Content-Type', 'application/json').send('{"broken":'),
        `${what}: malformed JSON`,
      );
      await expectClientError(
        await api[endpoint.method](endpoint.path)
          .set(authFor(endpoint))
          .set('Content-Type', 'text/plain')
          .send(JSON.stringify(endpoint.body ?? {})),
        `${what}: text/plain`,
      );
      await expectClientError(
        await api[endpoint.method](endpoint.path)
          .set(authFor(endpoint))
          .send({ filler: 'x'.repeat(200_000) }),
        `${what}: 200 kB body`,
      );
      sent += 3;
    }
    for (const id of HOSTILE_IDS) {
      for (const [method, path, auth] of [
        ['get', `/${id}`, undefined],
        ['delete', `/wishlist/${id}`, 'customer'],
        ['delete', `/cart/${id}`, 'customer'],
        ['put', `/product/${id}`, 'admin'],
        ['delete', `/product/${id}`, 'admin'],
        ['get', `/shopping/orders/${id}`, 'customer'],
      ] as const) {
        const res = await api[method](path)
          .set(authFor({ auth }))
          .send(method === 'put' ? { price: 1 } : undefined);
        await expectClientError(res, `${method.toUpperCase()} ${path.slice(0, 60)}`);
        sent++;
      }
    }
    for (const query of ['page=-1', 'page=abc', 'page[$gt]=1', 'limit=1000000000', `q=${'x'.repeat(1000)}`, 'type[]=a&type[]=b', 'page=1e400', 'limit=0', 'q[$regex]=.*']) {
      await expectClientError(await api.get(`/products?${query}`), `GET /products?${query.slice(0, 40)}`);
      sent++;
    }
    expect(sent).toBeGreaterThan(300);

    await api.get('/health').expect(200);
    expect(await snapshot()).toEqual(before);
  }, 240_000);

  test('When a path is not valid percent-encoding or a body is not in its declared Content-Encoding, then 400 JSON at every service, not a 500', async () => {
    for (const [path, auth] of [
      ['/%ff', undefined],
      ['/category/%ff', undefined],
      ['/shopping/orders/%ff', 'customer'],
      ['/wishlist/%ff', 'customer'],
    ] as const) {
      const res = await api[path.startsWith('/wishlist') ? 'delete' : 'get'](path).set(authFor({ auth }));
      await expectClientError(res, `${path}`);
      expect({ path, status: res.status, code: res.body.error.code }).toEqual({ path, status: 400, code: 'MALFORMED_PATH' });
    }
    for (const endpoint of endpoints()) {
      const res = await api[endpoint.method](endpoint.path)
        .set(authFor(endpoint))
        .set('Content-Type', 'application/json')
        .set('Content-Encoding', 'gzip')
        .send(JSON.stringify(endpoint.body));
      const what = `${endpoint.method.toUpperCase()} ${endpoint.path} (gzip declared)`;
      await expectClientError(res, what);
      expect({ what, status: res.status, code: res.body.error.code }).toEqual({ what, status: 400, code: 'MALFORMED_BODY' });
    }
  });

  test('When internal routes are asked through the gateway, then 404 JSON; /health, /openapi.json and the Swagger UI answer; the metrics are on their loopback port', async () => {
    for (const path of ['/ready', '/Ready/', '/metrics', '/docs/package.json', '/docs/index.html', '/docs/swagger-ui-bundle.js.map']) {
      const res = await api.get(path);
      await expectClientError(res, path);
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
    }
    for (const path of ['/health', '/openapi.json', '/docs', '/docs/swagger-ui.css', '/docs/swagger-ui-bundle.js', '/docs/swagger-initializer.js', '/docs/favicon-32x32.png']) {
      expect({ path, status: (await api.get(path)).status }).toEqual({ path, status: 200 });
    }
    expect((await request(`http://127.0.0.1:${metricsPort}`).get('/metrics').expect(200)).text).toContain('http_request_duration_seconds');
  });

  test('When a sign-up comes chunked (Transfer-Encoding, no Content-Length), then it succeeds through the gateway', async () => {
    const { port, hostname } = new URL(shop.gatewayUrl);
    const email = `chunked-${Date.now()}@example.com`;
    const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request({ host: hostname, port, method: 'POST', path: '/customer/signup', headers: { 'content-type': 'application/json' } }, (res) => {
        let text = '';
        res.on('data', (chunk) => (text += String(chunk)));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      expect(req.getHeader('content-length')).toBeUndefined();
      req.write(`{"email":"${email}",`);
      req.end('"password":"a good password"}');
    });
    expect(answer).toEqual({ status: 201, text: expect.stringContaining('"token"') });
    await api.post('/customer/login').send({ email, password: 'a good password' }).expect(200);
  });

  test('When a token is signed with the right key but has no expiry or lives longer than access tokens do, or is signed by anyone but customer, then every service refuses it with 401', async () => {
    const claims = { role: 'admin', sub: customer.id, iss: 'microservices-shop', aud: 'microservices-shop-api' };
    const key = testKeys().privateKey;
    const confused = `${Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify({ ...claims, iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 60 })).toString('base64url')}`;
    const tokens = {
      'no expiry': jwt.sign(claims, key, { algorithm: 'RS256' }),
      'ten years': jwt.sign(claims, key, { algorithm: 'RS256', expiresIn: '3650d' }),
      'issued a day ago': jwt.sign({ ...claims, iat: Math.floor(Date.now() / 1000) - 86_400 }, key, { algorithm: 'RS256', expiresIn: '25h' }),
      'an hour long': jwt.sign(claims, key, { algorithm: 'RS256', expiresIn: '1h' }),
      'another key pair': jwt.sign(claims, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey, { algorithm: 'RS256', expiresIn: '5m' }),
      'HS256 with the public key as secret': `${confused}.${createHmac('sha256', testKeys().publicKeyPem).update(confused).digest('base64url')}`,
    };
    for (const [name, token] of Object.entries(tokens)) {
      for (const [method, path] of [
        ['get', '/customer/profile'],
        ['get', '/shopping/orders'],
        ['post', '/product/create'],
      ] as const) {
        const res = await api[method](path)
          .set('Authorization', `Bearer ${token}`)
          .send(method === 'post' ? product : undefined);
        expect({ name, path, status: res.status, code: res.body.error?.code }).toEqual({ name, path, status: 401, code: 'INVALID_TOKEN' });
      }
    }
  });

  test("When an attacker's address guesses a password, then only that address is slowed down: malformed log-ins do not count and the owner logs in from elsewhere", async () => {
    const email = `victim-${Date.now()}@example.com`;
    await api.post('/customer/signup').send({ email, password: 'a good password' }).expect(201);
    const attacker = { 'X-Forwarded-For': '203.0.113.7' };
    for (let i = 0; i < 5; i++) await api.post('/customer/login').set(attacker).send({ email, password: '' }).expect(400);
    for (let i = 0; i < 3; i++)
      await api
        .post('/customer/login')
        .set(attacker)
        .send({ email, password: `guess number ${i}` })
        .expect(401);
    expect((await api.post('/customer/login').set(attacker).send({ email, password: 'a good password' }).expect(429)).body.error.code).toBe('RATE_LIMITED');
    await api.post('/customer/login').set('X-Forwarded-For', '198.51.100.20').send({ email, password: 'a good password' }).expect(200);
  });

  test('When text is unicode or emoji, then it is stored and returned as sent', async () => {
    const name = 'Äpfel 🍎 — 苹果';
    const res = await api
      .post('/product/create')
      .set(authFor({ auth: 'admin' }))
      .send({ ...product, name })
      .expect(201);
    expect((await api.get(`/${res.body._id}`).expect(200)).body.name).toBe(name);
    await api
      .delete(`/product/${res.body._id}`)
      .set(authFor({ auth: 'admin' }))
      .expect(200);
  });
});
