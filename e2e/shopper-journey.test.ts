import { eventually } from '@shop/common/testing';
import request from 'supertest';
import { ADMIN, startShop, type RunningShop } from './support/shop';

let shop: RunningShop;
let api: ReturnType<typeof request>;

beforeAll(async () => {
  shop = await startShop('journey');
  api = request(shop.gatewayUrl);
}, 120_000);

afterAll(async () => {
  await shop?.stop();
});

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
let counter = 0;
async function signUp(): Promise<{ id: string; token: string; email: string }> {
  const email = `shopper${++counter}-${Date.now()}@example.com`;
  const res = await api.post('/customer/signup').send({ email, password: 'a good password', phone: '555-0100' }).expect(201);
  return { ...res.body, email };
}

interface Product {
  _id: string;
  name: string;
  desc: string;
  type: string;
  price: number;
}

describe('a shopper through the gateway', () => {
  test('When a shopper signs up, browses, wishlists, fills the cart and orders, then the order shows everywhere, confirmed by the stock saga', async () => {
    // Accounts
    const { email } = await signUp();
    await api.post('/customer/signup').send({ email, password: 'another password' }).expect(409);
    await api.post('/customer/login').send({ email, password: 'wrong password' }).expect(401);
    const { id, token } = (await api.post('/customer/login').send({ email, password: 'a good password' }).expect(200)).body;

    // Browsing: all, category, id, ids, paged
    const all = (await api.get('/').expect(200)).body as { products: Product[]; categories: string[] };
    expect(all.products.length).toBeGreaterThanOrEqual(20);
    expect(all.categories.length).toBeGreaterThanOrEqual(4);
    const [first, second] = all.products as [Product, Product];
    const fruits = (await api.get(`/category/${first.type}`).expect(200)).body as Product[];
    expect(fruits.length).toBeGreaterThan(0);
    expect(fruits.every((p) => p.type === first.type)).toBe(true);
    expect((await api.get(`/${first._id}`).expect(200)).body).toMatchObject({ _id: first._id, name: first.name });
    await api.get('/000000000000000000000000').expect(404);
    await api.get('/not-an-id').expect(400);
    expect(
      (
        await api
          .post('/ids')
          .send({ ids: [first._id, second._id] })
          .expect(200)
      ).body,
    ).toHaveLength(2);
    const paged = (await api.get(`/products?type=${first.type}&page=1&limit=2`).expect(200)).body;
    expect(paged).toMatchObject({ total: fruits.length, page: 1, limit: 2 });

    // Profile and wishlist (the customer replica learns the catalogue by events)
    await api.post('/customer/address/').set(bearer(token)).send({ street: '1 High St', postalCode: '12345', city: 'Springfield', country: 'US' }).expect(201);
    await eventually(() => api.put('/wishlist').set(bearer(token)).send({ _id: first._id }).expect(200), 20_000);
    await api.put('/wishlist').set(bearer(token)).send({ _id: first._id }).expect(200);
    await api.put('/wishlist').set(bearer(token)).send({ _id: second._id }).expect(200);
    await api.delete(`/wishlist/${second._id}`).set(bearer(token)).expect(200);
    expect((await api.get('/customer/wishlist').set(bearer(token)).expect(200)).body.map((p: Product) => p._id)).toEqual([first._id]);
    await api.put('/wishlist').set(bearer(token)).send({ _id: '000000000000000000000000' }).expect(404);

    // Cart
    await eventually(() => api.put('/cart').set(bearer(token)).send({ _id: first._id, qty: 2 }).expect(200), 20_000);
    await api.put('/cart').set(bearer(token)).send({ _id: second._id, qty: 1 }).expect(200);
    await api.put('/cart').set(bearer(token)).send({ _id: second._id, qty: 0 }).expect(400);
    await api.put('/cart').set(bearer(token)).send({ _id: '000000000000000000000000', qty: 1 }).expect(404);
    await api.delete(`/cart/${second._id}`).set(bearer(token)).expect(200);
    expect((await api.get('/shopping/cart').set(bearer(token)).expect(200)).body).toEqual([
      { _id: id, customerId: id, items: [{ product: expect.objectContaining({ _id: first._id, desc: first.desc }), unit: 2 }] },
    ]);

    // Order, once per txnNumber
    const order = (await api.post('/shopping/order/').set(bearer(token)).send({ txnNumber: 'journey-1' }).expect(201)).body;
    expect(order).toMatchObject({ customerId: id, amount: first.price * 2, status: 'received', txnNumber: 'journey-1' });
    expect((await api.post('/shopping/order').set(bearer(token)).send({ txnNumber: 'journey-1' }).expect(200)).body.orderId).toBe(order.orderId);
    await api.post('/shopping/order').set(bearer(token)).send({ txnNumber: 'journey-2' }).expect(409);
    expect((await api.get('/shopping/orders').set(bearer(token)).expect(200)).body.map((o: { orderId: string }) => o.orderId)).toEqual([order.orderId]);

    // Through events: the customer view, then the stock saga's verdict in both services
    await eventually(async () => {
      const details = (await api.get('/customer/shoping-details').set(bearer(token)).expect(200)).body;
      expect(details.orders).toEqual([expect.objectContaining({ orderId: order.orderId, amount: order.amount, status: 'confirmed' })]);
      expect(details.cart).toEqual([]);
      expect((await api.get('/shopping/orders').set(bearer(token)).expect(200)).body[0].status).toBe('confirmed');
    }, 20_000);
    const profile = (await api.get('/customer/profile').set(bearer(token)).expect(200)).body;
    expect(profile).toMatchObject({ _id: id, email, address: [expect.objectContaining({ city: 'Springfield' })], wishlist: [expect.objectContaining({ _id: first._id })] });
    expect(profile).not.toHaveProperty('passwordHash');
    await eventually(async () => expect((await api.get(`/${first._id}`).expect(200)).body.stock).toBe((first as Product & { stock: number }).stock - 2), 10_000);

    // A second customer sees none of it and changes none of it
    const other = await signUp();
    expect((await api.get('/shopping/orders').set(bearer(other.token)).expect(200)).body).toEqual([]);
    await api.get(`/shopping/orders/${order.orderId}`).set(bearer(other.token)).expect(404);
    expect((await api.get('/customer/profile').set(bearer(other.token)).expect(200)).body).toMatchObject({ _id: other.id, address: [], wishlist: [], orders: [] });
    await api.delete(`/wishlist/${first._id}`).set(bearer(other.token)).expect(200);
    expect((await api.get('/customer/wishlist').set(bearer(token)).expect(200)).body).toHaveLength(1);

    // No token
    for (const path of ['/customer/profile', '/customer/wishlist', '/shopping/cart', '/shopping/orders']) await api.get(path).expect(401);
  }, 90_000);

  test('When the stock runs out, then the saga rejects the order and the customer view says why', async () => {
    const admin = (await api.post('/customer/login').send(ADMIN).expect(200)).body.token as string;
    const scarce = (await api.post('/product/create').set(bearer(admin)).send({ name: 'Rare Truffle', type: 'delicacies', unit: 1, price: 99, stock: 1 }).expect(201))
      .body as Product;
    const a = await signUp();
    const b = await signUp();
    await eventually(() => api.put('/cart').set(bearer(a.token)).send({ _id: scarce._id, qty: 1 }).expect(200), 20_000);
    await api.put('/cart').set(bearer(b.token)).send({ _id: scarce._id, qty: 1 }).expect(200);
    const first = (await api.post('/shopping/order').set(bearer(a.token)).send({}).expect(201)).body;
    const second = (await api.post('/shopping/order').set(bearer(b.token)).send({}).expect(201)).body;
    await eventually(async () => {
      expect((await api.get(`/shopping/orders/${first.orderId}`).set(bearer(a.token)).expect(200)).body.status).toBe('confirmed');
      expect((await api.get(`/shopping/orders/${second.orderId}`).set(bearer(b.token)).expect(200)).body).toMatchObject({
        status: 'rejected',
        reason: expect.stringContaining('stock'),
      });
      const view = (await api.get('/customer/shoping-details').set(bearer(b.token)).expect(200)).body;
      expect(view.orders[0]).toMatchObject({ orderId: second.orderId, status: 'rejected' });
    }, 20_000);
    expect((await api.get(`/${scarce._id}`).expect(200)).body.stock).toBe(0);
    await api.post('/product/create').set(bearer(a.token)).send({ name: 'x', type: 'y', unit: 1, price: 1 }).expect(403);
  }, 60_000);

  test('When a shopper cancels a confirmed order, then its stock comes back and both views show it cancelled', async () => {
    const admin = (await api.post('/customer/login').send(ADMIN).expect(200)).body.token as string;
    const saffron = (await api.post('/product/create').set(bearer(admin)).send({ name: 'Saffron', type: 'spices', unit: 1, price: 12, stock: 5 }).expect(201)).body as Product;
    const { token } = await signUp();
    await eventually(() => api.put('/cart').set(bearer(token)).send({ _id: saffron._id, qty: 3 }).expect(200), 20_000);
    const order = (await api.post('/shopping/order').set(bearer(token)).send({}).expect(201)).body;
    await eventually(async () => expect((await api.get(`/shopping/orders/${order.orderId}`).set(bearer(token)).expect(200)).body.status).toBe('confirmed'), 20_000);
    await eventually(async () => expect((await api.get(`/${saffron._id}`).expect(200)).body.stock).toBe(2), 10_000);

    const cancelling = (await api.post(`/shopping/orders/${order.orderId}/cancel`).set(bearer(token)).expect(200)).body;
    expect(['cancelling', 'cancelled']).toContain(cancelling.status);
    await eventually(async () => {
      expect((await api.get(`/shopping/orders/${order.orderId}`).set(bearer(token)).expect(200)).body.status).toBe('cancelled');
      const view = (await api.get('/customer/shoping-details').set(bearer(token)).expect(200)).body;
      expect(view.orders).toEqual([expect.objectContaining({ orderId: order.orderId, status: 'cancelled' })]);
      expect((await api.get(`/${saffron._id}`).expect(200)).body.stock).toBe(5);
    }, 20_000);
    // Idempotent: cancelling again gives nothing back twice.
    expect((await api.post(`/shopping/orders/${order.orderId}/cancel`).set(bearer(token)).expect(200)).body.status).toBe('cancelled');
    await api.post(`/shopping/orders/${order.orderId}/cancel`).expect(401);
    expect((await api.get(`/${saffron._id}`).expect(200)).body.stock).toBe(5);
  }, 60_000);

  test('When 100 orders are placed one after another, then each reaches the customer view (lag printed)', async () => {
    const { token } = await signUp();
    const product = ((await api.get('/').expect(200)).body.products as Product[])[0]!;
    const lags: number[] = [];
    for (let i = 0; i < 100; i++) {
      await api.put('/cart').set(bearer(token)).send({ _id: product._id, qty: 1 }).expect(200);
      const { orderId } = (await api.post('/shopping/order').set(bearer(token)).send({}).expect(201)).body;
      // From the moment the order is placed (its 201) until the customer view shows it.
      const placedAt = Date.now();
      await eventually(
        async () => {
          const view = (await api.get('/customer/shoping-details').set(bearer(token)).expect(200)).body;
          if (!view.orders.some((o: { orderId: string }) => o.orderId === orderId)) throw new Error('not yet');
        },
        10_000,
        5,
      );
      lags.push(Date.now() - placedAt);
    }
    lags.sort((x, y) => x - y);
    const at = (q: number) => lags[Math.min(lags.length - 1, Math.ceil(q * lags.length) - 1)];
    process.stdout.write(`\norder → customer view lag over ${lags.length} orders: p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${lags.at(-1)} ms\n`);
    expect(lags).toHaveLength(100);
  }, 120_000);
});
