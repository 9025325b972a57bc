import { eventually } from '@shop/common/testing';
import request from 'supertest';
import { startShop, type RunningShop } from './support/shop';

let shop: RunningShop;
let api: ReturnType<typeof request>;

beforeAll(async () => {
  shop = await startShop('tracing', { LOG_LEVEL: 'debug' });
  api = request(shop.gatewayUrl);
}, 120_000);

afterAll(async () => {
  await shop?.stop();
});

describe('following one request', () => {
  test('When a purchase is made with a request id, then that id is on log lines of all four processes, through the events', async () => {
    const { token } = (
      await api
        .post('/customer/signup')
        .send({ email: `trace-${Date.now()}@example.com`, password: 'a good password' })
        .expect(201)
    ).body;
    const productId = (await api.get('/').expect(200)).body.products[0]._id as string;
    const auth = { Authorization: `Bearer ${token}` };
    await eventually(() => api.put('/cart').set(auth).send({ _id: productId, qty: 1 }).expect(200), 20_000);

    const requestId = `purchase-${Date.now()}`;
    const res = await api.post('/shopping/order').set(auth).set('x-request-id', requestId).send({}).expect(201);
    expect(res.headers['x-request-id']).toBe(requestId);
    await eventually(async () => expect((await api.get('/customer/shoping-details').set(auth).expect(200)).body.orders[0]?.status).toBe('confirmed'), 20_000);

    await eventually(() => {
      const lines = shop.output.filter((line) => line.includes(requestId));
      const processes = new Set(lines.map((line) => line.split(':')[0]));
      expect([...processes].sort()).toEqual(['customer', 'gateway', 'products', 'shopping']);
      // The event handlers log under the id the order request carried.
      expect(lines.some((line) => line.startsWith('products:') && line.includes('order.placed'))).toBe(true);
      expect(lines.some((line) => line.startsWith('customer:') && line.includes('stock.reserved'))).toBe(true);
      for (const line of lines) expect(JSON.parse(line.slice(line.indexOf('{'))).requestId).toBe(requestId);
    }, 10_000);
  }, 60_000);
});
