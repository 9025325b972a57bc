/**
 * The original project's React frontend, unchanged: it runs on http://localhost:3000 and calls the
 * gateway with exactly these requests (trailing slashes included). Each answer is checked for the
 * fields its pages read, and for the CORS headers a browser needs before it hands the page the answer.
 */
import fs from 'node:fs';
import path from 'node:path';
import { eventually } from '@shop/common/testing';
import dotenv from 'dotenv';
import request from 'supertest';
import { startShop, type RunningShop } from './support/shop';

const FRONTEND = 'http://localhost:3000';
// The development allow-list, as `npm start` and `npm run dev` load it.
const DEV_CORS_ORIGINS = dotenv.parse(fs.readFileSync(path.join(__dirname, '..', '.env.dev'), 'utf8')).CORS_ORIGINS ?? '';

let shop: RunningShop;
let api: ReturnType<typeof request>;

beforeAll(async () => {
  shop = await startShop('frontend', { CORS_ORIGINS: DEV_CORS_ORIGINS });
  api = request(shop.gatewayUrl);
}, 120_000);

afterAll(async () => {
  await shop?.stop();
});

type Method = 'get' | 'post' | 'put' | 'delete';

/** A request as the frontend's axios sends it: from its origin, with its token once logged in. */
async function frontend(method: Method, url: string, { token, body, status = 200 }: { token?: string; body?: object; status?: number } = {}) {
  let req = api[method](url).set('Origin', FRONTEND);
  if (token) req = req.set('Authorization', `Bearer ${token}`);
  const res = await (body ? req.send(body) : req);
  expect({ request: `${method.toUpperCase()} ${url}`, status: res.status }).toEqual({ request: `${method.toUpperCase()} ${url}`, status });
  // Without it the browser hides the answer from the page.
  expect(res.headers['access-control-allow-origin']).toBe(FRONTEND);
  return res.body;
}

interface Product {
  _id: string;
  type: string;
}

/** What the product pages show of a product. */
function expectProductFields(product: unknown): void {
  expect(product).toEqual(
    expect.objectContaining({
      _id: expect.any(String),
      name: expect.any(String),
      desc: expect.any(String),
      banner: expect.any(String),
      price: expect.any(Number),
      type: expect.any(String),
      available: expect.any(Boolean),
      suplier: expect.any(String),
      unit: expect.any(Number),
    }),
  );
}

describe('the original React frontend against the gateway', () => {
  test('When the browser asks before a JSON request with a token, then the preflight allows the origin, the method and both headers', async () => {
    for (const [method, url] of [
      ['PUT', '/cart'],
      ['POST', '/shopping/order/'],
      ['DELETE', '/wishlist/000000000000000000000000'],
    ] as const) {
      const res = await api
        .options(url)
        .set('Origin', FRONTEND)
        .set('Access-Control-Request-Method', method)
        .set('Access-Control-Request-Headers', 'authorization,content-type')
        .expect(204);
      expect(res.headers['access-control-allow-origin']).toBe(FRONTEND);
      expect(res.headers['access-control-allow-methods']).toContain(method);
      expect(res.headers['access-control-allow-headers']?.toLowerCase()).toEqual(expect.stringContaining('authorization'));
      expect(res.headers['access-control-allow-headers']?.toLowerCase()).toEqual(expect.stringContaining('content-type'));
    }
  });

  test('When a shopper uses every page of the frontend, then each request answers what that page reads', async () => {
    // Home page: products and categories; category and product pages.
    const home = await frontend('get', '/');
    expect(home.categories).toEqual(expect.arrayContaining([expect.any(String)]));
    expect(home.products.length).toBeGreaterThan(0);
    home.products.forEach(expectProductFields);
    // Each product card shows its banner, served by the gateway itself.
    for (const { banner } of home.products as Array<{ banner: string }>) {
      const picture = await api.get(banner).set('Origin', FRONTEND).expect(200);
      expect({ banner, type: picture.headers['content-type'] }).toEqual({ banner, type: 'image/jpeg' });
    }
    const [first, second] = home.products as [Product, Product];
    const category = (await frontend('get', `/category/${first.type}`)) as Product[];
    expect(category.map((p) => p._id)).toContain(first._id);
    category.forEach(expectProductFields);
    const detail = await frontend('get', `/${first._id}`);
    expectProductFields(detail);
    expect(detail._id).toBe(first._id);

    // Sign up and log in.
    const email = `frontend-${Date.now()}@example.com`;
    const signedUp = await frontend('post', '/customer/signup', { body: { email, password: 'a good password', phone: '555-0100' }, status: 201 });
    // What the frontend reads; the refresh token beside them is for clients that renew their session.
    expect(signedUp).toMatchObject({ id: expect.any(String), token: expect.any(String) });
    const { token } = await frontend('post', '/customer/login', { body: { email, password: 'a good password' } });
    expect(token).toEqual(expect.any(String));

    // Profile and address page.
    const fresh = await frontend('get', '/customer/profile', { token });
    expect(fresh).toMatchObject({ wishlist: [], cart: [], orders: [], address: [] });
    const withAddress = await frontend('post', '/customer/address/', {
      token,
      body: { street: '1 High St', postalCode: '12345', city: 'Springfield', country: 'US' },
      status: 201,
    });
    expect(withAddress.address).toEqual([expect.objectContaining({ street: '1 High St', postalCode: '12345', city: 'Springfield', country: 'US' })]);

    // Wishlist page (the customer service learns the catalogue by events, hence the wait).
    await eventually(() => frontend('put', '/wishlist', { token, body: { _id: first._id } }), 20_000);
    expectProductFields(await frontend('put', '/wishlist', { token, body: { _id: second._id } }));
    expectProductFields(await frontend('delete', `/wishlist/${second._id}`, { token }));
    const wishlist = await frontend('get', '/customer/wishlist', { token });
    expect(wishlist.map((p: Product) => p._id)).toEqual([first._id]);
    wishlist.forEach(expectProductFields);

    // Cart page: the original reads the first cart document's items.
    await eventually(() => frontend('put', '/cart', { token, body: { _id: first._id, qty: 2 } }), 20_000);
    const added = await frontend('put', '/cart', { token, body: { _id: second._id, qty: 1 } });
    expect(added).toMatchObject({ product: { _id: second._id }, unit: 1 });
    expect(await frontend('delete', `/cart/${second._id}`, { token })).toMatchObject({ product: { _id: second._id }, unit: 0 });
    const carts = await frontend('get', '/shopping/cart', { token });
    expect(carts).toEqual([
      expect.objectContaining({
        _id: expect.any(String),
        items: [
          {
            product: expect.objectContaining({ _id: first._id, name: expect.any(String), desc: expect.any(String), banner: expect.any(String), price: expect.any(Number) }),
            unit: 2,
          },
        ],
      }),
    ]);

    // Order page.
    const order = await frontend('post', '/shopping/order/', { token, body: { txnNumber: `frontend-${Date.now()}` }, status: 201 });
    expect(order).toMatchObject({ orderId: expect.any(String), amount: expect.any(Number), status: expect.any(String), items: [expect.objectContaining({ unit: 2 })] });
    const orders = await frontend('get', '/shopping/orders', { token });
    expect(orders).toEqual([
      expect.objectContaining({
        orderId: order.orderId,
        amount: order.amount,
        status: expect.any(String),
        items: [expect.objectContaining({ product: expect.objectContaining({ _id: first._id }), unit: 2 })],
      }),
    ]);

    // Profile and shopping details once the events have reached the customer view.
    await eventually(async () => {
      const profile = await frontend('get', '/customer/profile', { token });
      expect(profile.wishlist.map((p: Product) => p._id)).toEqual([first._id]);
      expect(profile.cart).toEqual([]);
      expect(profile.orders).toEqual([
        expect.objectContaining({ _id: order.orderId, orderId: order.orderId, amount: order.amount, status: expect.any(String), items: [expect.objectContaining({ unit: 2 })] }),
      ]);
      expect(profile.address).toHaveLength(1);
    }, 20_000);
    const details = await frontend('get', '/customer/shoping-details', { token });
    expect(details).toMatchObject({ orders: [expect.objectContaining({ orderId: order.orderId })], cart: [], wishlist: [expect.objectContaining({ _id: first._id })] });
  }, 90_000);
});
