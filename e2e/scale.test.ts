import { eventually } from '@shop/common/testing';
import request from 'supertest';
import { appliedEventsOf } from '../scripts/shop-processes';
import { answeredOrders, orderStream, type Attempt } from './support/order-stream';
import { ADMIN, startShop, type RunningShop } from './support/shop';

/** Two instances of every service behind the gateway, consuming the same queues side by side. */
let shop: RunningShop;
let api: ReturnType<typeof request>;

beforeAll(async () => {
  shop = await startShop('scale', {}, 2);
  api = request(shop.gatewayUrl);
}, 120_000);

afterAll(async () => {
  await shop?.stop();
});

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

describe('two instances of each service', () => {
  test('When 50 shoppers order a product with stock 10 at once, then exactly 10 orders are confirmed, 40 rejected, each order is in its view once, and stock is 0', async () => {
    expect([...shop.processes.keys()].sort()).toEqual(['customer#1', 'customer#2', 'gateway', 'products#1', 'products#2', 'shopping#1', 'shopping#2']);
    const admin = (await api.post('/customer/login').send(ADMIN).expect(200)).body.token as string;
    const product = (await api.post('/product/create').set(bearer(admin)).send({ name: 'Limited', type: 'limited', unit: 1, price: 5, stock: 10 }).expect(201)).body as {
      _id: string;
    };
    const shoppers = await Promise.all(
      Array.from(
        { length: 50 },
        async (_, i) =>
          (
            await api
              .post('/customer/signup')
              .send({ email: `scale${i}-${Date.now()}@example.com`, password: 'a good password' })
              .expect(201)
          ).body.token as string,
      ),
    );
    await eventually(() => api.put('/cart').set(bearer(shoppers[0]!)).send({ _id: product._id, qty: 1 }).expect(200), 20_000);
    // Both shopping instances must know the product before the carts fill.
    await eventually(async () => {
      for (const token of shoppers.slice(1, 5)) await api.put('/cart').set(bearer(token)).send({ _id: product._id, qty: 1 }).expect(200);
    }, 20_000);
    await Promise.all(shoppers.map((token) => api.put('/cart').set(bearer(token)).send({ _id: product._id, qty: 1 }).expect(200)));
    const orders = await Promise.all(
      shoppers.map(async (token) => ({ token, orderId: (await api.post('/shopping/order').set(bearer(token)).send({}).expect(201)).body.orderId as string })),
    );

    await eventually(
      async () => {
        const statuses = await Promise.all(
          orders.map(async ({ token, orderId }) => (await api.get(`/shopping/orders/${orderId}`).set(bearer(token)).expect(200)).body.status as string),
        );
        expect(statuses.filter((s) => s === 'confirmed')).toHaveLength(10);
        expect(statuses.filter((s) => s === 'rejected')).toHaveLength(40);
      },
      60_000,
      250,
    );
    await eventually(
      async () => {
        for (const { token, orderId } of orders) {
          const view = (await api.get('/customer/shoping-details').set(bearer(token)).expect(200)).body as { orders: Array<{ orderId: string; status: string }> };
          expect(view.orders.map((o) => o.orderId)).toEqual([orderId]);
          expect(view.orders[0]!.status).not.toBe('received');
        }
      },
      30_000,
      250,
    );
    await eventually(async () => expect((await api.get(`/${product._id}`).expect(200)).body.stock).toBe(0), 10_000);

    // Both instances of each service applied events: they share its queue.
    for (const urls of Object.values(shop.serviceUrls)) {
      const applied = await Promise.all(urls.map((url) => appliedEventsOf(url)));
      expect(applied).toHaveLength(2);
      for (const count of applied) expect(count).toBeGreaterThan(0);
    }
  }, 180_000);
  test('When a shopping instance is killed while orders are placed, then only requests in flight at that moment fail, and every order that got a 2xx ends confirmed or rejected once', async () => {
    const admin = (await api.post('/customer/login').send(ADMIN).expect(200)).body.token as string;
    const product = (await api.post('/product/create').set(bearer(admin)).send({ name: 'Plenty', type: 'plenty', unit: 1, price: 2, stock: 100_000 }).expect(201)).body as {
      _id: string;
    };
    const shoppers = await Promise.all(
      Array.from(
        { length: 8 },
        async (_, i) =>
          (
            await api
              .post('/customer/signup')
              .send({ email: `kill${i}-${Date.now()}@example.com`, password: 'a good password' })
              .expect(201)
          ).body.token as string,
      ),
    );
    // Both shopping instances must know the product before the stream starts.
    await eventually(async () => {
      for (const token of shoppers.slice(0, 4)) await api.put('/cart').set(bearer(token)).send({ _id: product._id, qty: 1 }).expect(200);
    }, 20_000);

    const logs = shoppers.map(() => [] as Attempt[]);
    let running = true;
    const streams = shoppers.map((token, i) => orderStream(api, token, product._id, () => running, logs[i]!));
    let killedAt = 0;
    try {
      await eventually(() => expect(Math.min(...logs.map((log) => answeredOrders(log).length))).toBeGreaterThan(1), 30_000, 100);
      killedAt = Date.now();
      await shop.kill('shopping#1');
      await new Promise((resolve) => setTimeout(resolve, 4000));
    } finally {
      running = false;
      await Promise.all(streams);
    }

    const attempts = logs.flat();
    const failed = attempts.filter((a) => a.status < 200 || a.status >= 300);
    // At most one request per shopper was in flight at the kill; nothing sent after it fails.
    expect(failed.length).toBeLessThanOrEqual(shoppers.length);
    expect(failed.filter((a) => a.startedAt > killedAt + 50)).toEqual([]);
    expect(failed.filter((a) => a.status !== 503)).toEqual([]);
    expect(attempts.filter((a) => a.startedAt > killedAt + 50 && a.step === 'order' && a.status === 201).length).toBeGreaterThan(shoppers.length);

    await eventually(
      async () => {
        for (const [i, token] of shoppers.entries()) {
          const answered = answeredOrders(logs[i]!);
          const orders = (await api.get('/shopping/orders').set(bearer(token)).expect(200)).body as Array<{ orderId: string; status: string }>;
          const view = (await api.get('/customer/shoping-details').set(bearer(token)).expect(200)).body as { orders: Array<{ orderId: string; status: string }> };
          for (const list of [orders, view.orders]) {
            const mine = list.filter((o) => answered.includes(o.orderId));
            expect(mine.map((o) => o.orderId).sort()).toEqual([...new Set(answered)].sort());
            expect(mine.filter((o) => o.status !== 'confirmed' && o.status !== 'rejected')).toEqual([]);
          }
        }
      },
      30_000,
      500,
    );
  }, 180_000);
});
