import fs from 'node:fs';
import path from 'node:path';
import { eventually } from '@shop/common/testing';
import amqp from 'amqplib';
import request from 'supertest';
import { CatalogueEvents, type EventEnvelope } from '@shop/common';
import { freePort } from '../scripts/infra/processes';
import { startFerretDb, type RunningFerretDb } from '../scripts/infra/ferretdb';
import { startRabbitMq, type RunningRabbitMq } from '../scripts/infra/rabbitmq';
import { answeredOrders, orderStream, type Attempt } from './support/order-stream';
import { ADMIN, startShop, type RunningShop } from './support/shop';

/**
 * Faults against a shop with its own FerretDB and RabbitMQ node, which the tests stop and start
 * again on the same ports and data.
 */
let dataDir: string;
let ferret: RunningFerretDb;
let rabbit: RunningRabbitMq;
let shop: RunningShop;
let api: ReturnType<typeof request>;
const ports = { mongo: 0, amqp: 0 };
const nodeName = `shop-faults-${process.pid}`;

// Started again, the node keeps its service users' passwords: the running services log in again.
const startBroker = () => startRabbitMq({ dataDir: path.join(dataDir, 'rabbitmq'), nodeName, port: ports.amqp, passwords: rabbit?.passwords });
const startDatabase = () => startFerretDb({ dataDir: path.join(dataDir, 'ferretdb'), port: ports.mongo });

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(fs.existsSync('/dev/shm') ? '/dev/shm' : '/tmp', 'shop-faults-'));
  ports.mongo = await freePort();
  ports.amqp = await freePort();
  [ferret, rabbit] = await Promise.all([startDatabase(), startBroker()]);
  shop = await startShop('faults', { MONGO_URL: ferret.url, AMQP_URL: rabbit.url }, 1, { serviceUrls: rabbit.serviceUrls, control: rabbit.control });
  api = request(shop.gatewayUrl);
}, 180_000);

afterAll(async () => {
  try {
    await shop?.stop();
  } finally {
    await Promise.all([ferret?.stop(), rabbit?.stop()]);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}, 60_000);

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
let counter = 0;

async function shopper(): Promise<{ token: string; productId: string }> {
  const res = await api
    .post('/customer/signup')
    .send({ email: `fault${++counter}-${Date.now()}@example.com`, password: 'a good password' })
    .expect(201);
  const productId = ((await api.get('/').expect(200)).body.products[0] as { _id: string })._id;
  return { token: res.body.token, productId };
}

async function placeOrder(token: string, productId: string): Promise<string> {
  await api.put('/cart').set(bearer(token)).send({ _id: productId, qty: 1 }).expect(200);
  return (await api.post('/shopping/order').set(bearer(token)).send({}).expect(201)).body.orderId;
}

/** Every order in the customer view exactly once. */
async function expectInView(token: string, orderIds: string[], timeoutMs: number): Promise<void> {
  await eventually(
    async () => {
      const view = (await api.get('/customer/shoping-details').set(bearer(token)).expect(200)).body as { orders: Array<{ orderId: string }> };
      expect(view.orders.map((o) => o.orderId).sort()).toEqual([...orderIds].sort());
    },
    timeoutMs,
    200,
  );
}

/**
 * A durable queue of the shop's events of these types, declared now: it keeps what is published
 * while the test's own connection is gone (the broker node stopped meanwhile). `take` empties it.
 */
async function recordEvents(types: string[]): Promise<{ take: () => Promise<EventEnvelope[]> }> {
  const queue = `faults-record-${process.pid}-${Date.now()}`;
  const setUp = await amqp.connect(rabbit.url);
  const channel = await setUp.createChannel();
  await channel.assertExchange(shop.env.AMQP_EXCHANGE!, 'topic', { durable: true });
  await channel.assertQueue(queue, { durable: true });
  for (const type of types) await channel.bindQueue(queue, shop.env.AMQP_EXCHANGE!, type);
  await setUp.close();
  const take = async (): Promise<EventEnvelope[]> => {
    const connection = await amqp.connect(rabbit.url);
    const reader = await connection.createChannel();
    const events: EventEnvelope[] = [];
    for (let message = await reader.get(queue, { noAck: true }); message; message = await reader.get(queue, { noAck: true })) {
      events.push(JSON.parse(message.content.toString('utf8')) as EventEnvelope);
    }
    await connection.close();
    return events;
  };
  return { take };
}

/** SIGKILL: the database gets no chance to finish anything. */
async function killDatabase(): Promise<void> {
  const child = ferret.process;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(-child.pid!, 'SIGKILL');
  await exited;
}

/** Runs a test, printing what the shop's processes said if it fails (run with TEST_LOG_LEVEL=debug for all of it). */
async function withShopOutputOnFailure(test: () => Promise<void>): Promise<void> {
  try {
    await test();
  } catch (error) {
    console.log(`the shop's output:\n${shop.output.join('\n')}`);
    throw error;
  }
}

describe('faults', () => {
  test('When shopping starts while the broker is down, then its catalogue request goes once the broker is back and products answers it', async () => {
    const recorded = await recordEvents([CatalogueEvents.syncRequested, CatalogueEvents.productUpdated]);
    await rabbit.stop();
    await shop.kill('shopping');
    shop.restart('shopping');
    // Ready without the broker; its request (an event without a correlation id) waits in its outbox.
    await eventually(() => api.get('/health').expect(200), 30_000, 250);
    await new Promise((resolve) => setTimeout(resolve, 1000));

    rabbit = await startBroker();
    const seen: EventEnvelope[] = [];
    await eventually(
      async () => {
        seen.push(...(await recorded.take()));
        const requests = seen.filter((event) => event.type === CatalogueEvents.syncRequested && event.data.requestedBy === 'shopping');
        expect(requests).not.toHaveLength(0);
        expect(requests.every((request) => seen.some((event) => event.id.endsWith(`:for:${request.id}`)))).toBe(true);
      },
      30_000,
      250,
    );
  }, 120_000);

  test('When the broker is down while 20 orders are placed, then all are accepted and reach the customer view once after it returns', async () => {
    const { token, productId } = await eventually(async () => {
      const s = await shopper();
      await api.put('/cart').set(bearer(s.token)).send({ _id: s.productId, qty: 1 }).expect(200);
      return s;
    }, 30_000);
    await api.delete(`/cart/${productId}`).set(bearer(token)).expect(200);

    await rabbit.stop();
    const outageStarted = Date.now();
    const orderIds: string[] = [];
    for (let i = 0; i < 20; i++) orderIds.push(await placeOrder(token, productId));
    // The services answer meanwhile; the broker is degraded, not a reason to be unready.
    await api.get('/health').expect(200);
    const waited = 5000 - (Date.now() - outageStarted);
    if (waited > 0) await new Promise((resolve) => setTimeout(resolve, waited));

    rabbit = await startBroker();
    await expectInView(token, orderIds, 30_000);
    expect(new Set(orderIds).size).toBe(20);
  }, 120_000);

  test('When the customer service is killed mid-stream and restarted, then no order is lost or doubled', async () => {
    const { token, productId } = await shopper();
    const orderIds: string[] = [];
    for (let i = 0; i < 5; i++) orderIds.push(await placeOrder(token, productId));
    await shop.kill('customer');
    for (let i = 0; i < 5; i++) orderIds.push(await placeOrder(token, productId));
    shop.restart('customer');
    await expectInView(token, orderIds, 30_000);
  }, 120_000);

  test('When the database restarts under the services, then requests fail fast with 503 and work again without a restart', async () => {
    const { token } = await shopper();
    await ferret.stop();
    const started = Date.now();
    const during = await api.get('/shopping/cart').set(bearer(token));
    expect(during.status).toBe(503);
    expect(during.body.error.code).toBe('DATABASE_UNAVAILABLE');
    expect(Date.now() - started).toBeLessThan(8000);
    expect((await api.get('/customer/profile').set(bearer(token))).status).toBe(503);

    ferret = await startDatabase();
    await eventually(
      async () => {
        await api.get('/shopping/cart').set(bearer(token)).expect(200);
        await api.get('/customer/profile').set(bearer(token)).expect(200);
      },
      30_000,
      250,
    );
  }, 120_000);

  test(
    'When the database is killed while shoppers place orders and started again, then they get 503s meanwhile, never a 500 or a hang, recover within seconds, and every order that got a 2xx ends confirmed or rejected once, with stock adding up',
    () =>
      withShopOutputOnFailure(async () => {
        const admin = (await api.post('/customer/login').send(ADMIN).expect(200)).body.token as string;
        const stock = 40;
        const product = (await api.post('/product/create').set(bearer(admin)).send({ name: 'Restart', type: 'restart', unit: 1, price: 3, stock }).expect(201)).body as {
          _id: string;
        };
        const shoppers = await Promise.all(Array.from({ length: 4 }, async () => (await shopper()).token));
        await eventually(() => api.put('/cart').set(bearer(shoppers[0]!)).send({ _id: product._id, qty: 1 }).expect(200), 20_000);

        const logs = shoppers.map(() => [] as Attempt[]);
        let running = true;
        const streams = shoppers.map((token, i) => orderStream(api, token, product._id, () => running, logs[i]!));
        const placed = (after = 0) => logs.map((log) => log.filter((a) => a.status === 201 && a.endedAt > after).length);
        try {
          await eventually(() => expect(Math.min(...placed())).toBeGreaterThan(0), 20_000, 100);
          await killDatabase();
          await new Promise((resolve) => setTimeout(resolve, 3000));
          ferret = await startDatabase();
          const restarted = Date.now();
          // Every shopper orders again by itself within seconds: nothing needs a restart.
          await eventually(() => expect(Math.min(...placed(restarted))).toBeGreaterThan(0), 15_000, 100);
        } finally {
          running = false;
          await Promise.all(streams);
        }

        const attempts = logs.flat();
        const unexpected = attempts.filter((a) => !(a.status === 200 || a.status === 201 || (a.status === 503 && a.code === 'DATABASE_UNAVAILABLE')));
        expect(unexpected).toEqual([]);
        expect(attempts.filter((a) => a.status === 503).length).toBeGreaterThan(0);
        expect(Math.max(...attempts.map((a) => a.endedAt - a.startedAt))).toBeLessThan(8000);

        // An order stored before the outage cut its announcement off (its POST got a 503) is announced
        // by shopping's catch-up within seconds, so every order ends decided, in both services.
        let confirmed = 0;
        await eventually(
          async () => {
            confirmed = 0;
            for (const [i, token] of shoppers.entries()) {
              const answered = answeredOrders(logs[i]!);
              const orders = (await api.get('/shopping/orders').set(bearer(token)).expect(200)).body as Array<{ orderId: string; status: string }>;
              const view = (await api.get('/customer/shoping-details').set(bearer(token)).expect(200)).body as { orders: Array<{ orderId: string; status: string }> };
              const ids = orders.map((o) => o.orderId);
              expect(new Set(ids).size).toBe(ids.length);
              expect(answered.filter((id) => !ids.includes(id))).toEqual([]);
              expect(orders.filter((o) => o.status !== 'confirmed' && o.status !== 'rejected')).toEqual([]);
              const byId = (list: Array<{ orderId: string; status: string }>) => [...list].sort((a, b) => a.orderId.localeCompare(b.orderId)).map((o) => [o.orderId, o.status]);
              expect(byId(view.orders)).toEqual(byId(orders));
              confirmed += orders.filter((o) => o.status === 'confirmed').length;
            }
            expect((await api.get(`/${product._id}`).expect(200)).body.stock).toBe(stock - confirmed);
          },
          30_000,
          500,
        );
      }),
    180_000,
  );
});
