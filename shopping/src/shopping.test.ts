import { CatalogueEvents, ShoppingEvents, signAccessToken, StockEvents, type OrderPlaced } from '@shop/common';
import { eventually, EventProbe, testServiceConfig, uniqueTestName } from '@shop/common/testing';
import request from 'supertest';
import { shoppingEnv, type ShoppingConfig } from './config';
import { CartRepository } from './database/cart-repository';
import { cartModel, cartToAnnounceModel } from './database/models/cart';
import { orderHistoryModel, orderInFlightModel, orderModel } from './database/models/order';
import { OrderRepository } from './database/order-repository';
import { startShoppingService, type ShoppingService } from './service';
import { toOrderView } from './services/orders';

let service: ShoppingService;
let config: ShoppingConfig;
let probe: EventProbe;
let http: ReturnType<typeof request>;

const apples = { productId: '65b000000000000000000001', name: 'Apples', desc: '', type: 'fruits', banner: '/a.jpg', unit: 1, price: 1.1, available: true, suplier: 'x', stock: 50, version: 1 };
const oil = { ...apples, productId: '65b000000000000000000002', name: 'Olive Oil', type: 'oils', price: 2.2 };
const soldOut = { ...apples, productId: '65b000000000000000000003', name: 'Gone', available: false };

beforeAll(async () => {
  config = testServiceConfig('shopping', shoppingEnv, uniqueTestName('shopping'));
  probe = await new EventProbe(config.amqpUrl, config.exchange).start();
  service = await startShoppingService(config, { handleSignals: false });
  http = request(service.server.server);
  for (const product of [apples, oil, soldOut]) await probe.publish(CatalogueEvents.productCreated, product);
  await eventually(async () => expect(await service.connection.collection('catalogue_replica').countDocuments()).toBe(3));
});

afterAll(async () => {
  await service.shutdown();
  await probe.stop();
});

let customers = 0;
function newCustomer(): { id: string; auth: { Authorization: string } } {
  const id = `customer-${++customers}-${Date.now()}`;
  return { id, auth: { Authorization: `Bearer ${signAccessToken({ customerId: id, role: 'customer' }, config.tokens)}` } };
}

describe('shopping: the cart', () => {
  test('When a shopper sets quantities, then the cart holds each product once at the set quantity, and each change is announced', async () => {
    const { id, auth } = newCustomer();
    const res = await http.put('/cart').set(auth).send({ _id: apples.productId, qty: 2 }).expect(200);
    expect(res.body).toEqual({ product: { _id: apples.productId, name: 'Apples', price: 1.1, banner: '/a.jpg', type: 'fruits' }, unit: 2 });
    await http.put('/cart').set(auth).send({ _id: apples.productId, qty: 5 }).expect(200);
    await http.put('/cart').set(auth).send({ _id: oil.productId, qty: 1 }).expect(200);
    const cart = await http.get('/shopping/cart').set(auth).expect(200);
    expect(cart.body).toEqual({ customerId: id, items: [expect.objectContaining({ unit: 5 }), expect.objectContaining({ unit: 1 })] });
    expect((await new CartRepository(service.connection).find(id)).version).toBe(3);
    await probe.waitFor((e) => e.type === ShoppingEvents.cartUpdated && (e.data as { customerId: string; version: number }).customerId === id && (e.data as { version: number }).version === 3);

    const removed = await http.delete(`/cart/${apples.productId}`).set(auth).expect(200);
    expect(removed.body).toMatchObject({ product: { _id: apples.productId }, unit: 0 });
    await http.delete(`/cart/${apples.productId}`).set(auth).expect(200);
    expect((await http.get('/shopping/cart').set(auth).expect(200)).body.items).toEqual([expect.objectContaining({ product: expect.objectContaining({ _id: oil.productId }) })]);
    // Each change's note that it was due to be announced is gone with its announcement (or its no-op).
    expect(await cartToAnnounceModel(service.connection).find({ customerId: id }).lean()).toEqual([]);
    expect(await cartModel(service.connection).findById(id).lean()).not.toHaveProperty('announced');
  });

  test('When the quantity or product is wrong, then 400, 404 or 409 and the cart is unchanged', async () => {
    const { id, auth } = newCustomer();
    for (const qty of [0, -1, 1.5, '2', null, 1e9, { $gt: 0 }]) await http.put('/cart').set(auth).send({ _id: apples.productId, qty }).expect(400);
    expect((await http.put('/cart').set(auth).send({ _id: '000000000000000000000000', qty: 1 }).expect(404)).body.error.code).toBe('PRODUCT_NOT_FOUND');
    expect((await http.put('/cart').set(auth).send({ _id: soldOut.productId, qty: 1 }).expect(409)).body.error.code).toBe('PRODUCT_UNAVAILABLE');
    await http.put('/cart').set(auth).send({ _id: 'x', qty: 1 }).expect(400);
    expect((await new CartRepository(service.connection).find(id)).items).toEqual([]);
  });

  test('When one shopper changes the cart many times at once, then no change is lost', async () => {
    const { id, auth } = newCustomer();
    await Promise.all([apples, oil].map((p) => http.put('/cart').set(auth).send({ _id: p.productId, qty: 3 }).expect(200)));
    expect((await new CartRepository(service.connection).find(id)).items).toHaveLength(2);
  });

  test('When there is no token, then 401', async () => {
    await http.get('/shopping/cart').expect(401);
    await http.put('/cart').send({ _id: apples.productId, qty: 1 }).expect(401);
    await http.post('/shopping/order').send({}).expect(401);
    await http.get('/shopping/orders').expect(401);
  });
});

describe('shopping: orders', () => {
  test('When a shopper orders the cart, then the order holds the lines at current prices, the cart empties, and order.placed is announced', async () => {
    const { id, auth } = newCustomer();
    await http.put('/cart').set(auth).send({ _id: apples.productId, qty: 3 }).expect(200);
    await http.put('/cart').set(auth).send({ _id: oil.productId, qty: 1 }).expect(200);
    const res = await http.post('/shopping/order').set(auth).send({ txnNumber: 'txn-1' }).expect(201);
    expect(res.body).toMatchObject({ customerId: id, amount: 5.5, status: 'received', txnNumber: 'txn-1', items: expect.any(Array) });
    expect((await http.get('/shopping/cart').set(auth).expect(200)).body.items).toEqual([]);
    const placed = await probe.waitFor((e) => e.type === ShoppingEvents.orderPlaced && (e.data as OrderPlaced).orderId === res.body.orderId);
    expect(placed.data).toMatchObject({ customerId: id, amount: 5.5 });
    expect((await http.get('/shopping/orders').set(auth).expect(200)).body).toEqual([expect.objectContaining({ orderId: res.body.orderId })]);
  });

  test('When the cart is empty, then ordering is refused with 409', async () => {
    const { auth } = newCustomer();
    expect((await http.post('/shopping/order').set(auth).send({}).expect(409)).body.error.code).toBe('EMPTY_CART');
  });

  test('When the same txnNumber comes twice, even after the cart was refilled, then the first order comes back', async () => {
    const { id, auth } = newCustomer();
    await http.put('/cart').set(auth).send({ _id: apples.productId, qty: 1 }).expect(200);
    const first = await http.post('/shopping/order').set(auth).send({ txnNumber: 'same' }).expect(201);
    await http.put('/cart').set(auth).send({ _id: oil.productId, qty: 1 }).expect(200);
    const again = await http.post('/shopping/order').set(auth).send({ txnNumber: 'same' }).expect(200);
    expect(again.body.orderId).toBe(first.body.orderId);
    expect(await orderModel(service.connection).countDocuments({ customerId: id })).toBe(1);
    expect((await http.get('/shopping/cart').set(auth).expect(200)).body.items).toHaveLength(1);
  });

  test('When a txnNumber was claimed by an attempt that never wrote its order, then a retry orders with it, and it keeps that order', async () => {
    const { id, auth } = newCustomer();
    await http.put('/cart').set(auth).send({ _id: apples.productId, qty: 1 }).expect(200);
    // The crashed attempt tied the txnNumber to an order id it never wrote.
    await new OrderRepository(service.connection).claimRequest(id, 'lost', `${id}-0`);
    const placed = (await http.post('/shopping/order').set(auth).send({ txnNumber: 'lost' }).expect(201)).body;
    await http.put('/cart').set(auth).send({ _id: oil.productId, qty: 1 }).expect(200);
    expect((await http.post('/shopping/order').set(auth).send({ txnNumber: 'lost' }).expect(200)).body.orderId).toBe(placed.orderId);
    expect((await http.get('/shopping/orders').set(auth).expect(200)).body).toHaveLength(1);
  });

  test('When ten order requests for one cart arrive at once, then exactly one order is made', async () => {
    const { id, auth } = newCustomer();
    await http.put('/cart').set(auth).send({ _id: apples.productId, qty: 2 }).expect(200);
    const responses = await Promise.all(Array.from({ length: 10 }, (_, i) => http.post('/shopping/order').set(auth).send({ txnNumber: `t${i}` })));
    const created = responses.filter((r) => r.status === 201);
    expect(created).toHaveLength(1);
    // The others either got that same order back or found the cart already emptied.
    for (const r of responses) expect([200, 201, 409]).toContain(r.status);
    for (const r of responses.filter((x) => x.status === 200)) expect(r.body.orderId).toBe(created[0]!.body.orderId);
    expect(await orderModel(service.connection).countDocuments({ customerId: id })).toBe(1);
  });

  test('When another customer asks for an order, then it is as unknown as a missing one', async () => {
    const owner = newCustomer();
    const other = newCustomer();
    await http.put('/cart').set(owner.auth).send({ _id: apples.productId, qty: 1 }).expect(200);
    const order = (await http.post('/shopping/order').set(owner.auth).send({}).expect(201)).body;
    await http.get(`/shopping/orders/${order.orderId}`).set(owner.auth).expect(200);
    await http.get(`/shopping/orders/${order.orderId}`).set(other.auth).expect(404);
    expect((await http.get('/shopping/orders').set(other.auth).expect(200)).body).toEqual([]);
    expect((await http.get('/shopping/cart').set(other.auth).expect(200)).body.items).toEqual([]);
  });

  test('When a crash cut placements off, then the next start finishes them: the order announced, its cart emptied, the note gone', async () => {
    const { id } = newCustomer();
    const orderId = `${id}-7`;
    const longAgo = new Date(Date.now() - 60_000);
    const apple = { product: { _id: apples.productId, name: 'Apples', price: 1.1, banner: '' }, unit: 1 };
    // The crash came after the order was written: its note is there, the cart is not yet emptied.
    await cartModel(service.connection).create({ _id: id, items: [apple], version: 7 });
    const crashed = { _id: orderId, customerId: id, items: [apple], amount: 1.1, status: 'received' as const, txnNumber: 'crashed', cartVersion: 7, createdAt: longAgo };
    await orderModel(service.connection).create(crashed);
    await orderInFlightModel(service.connection).create({ _id: orderId, customerId: id, order: toOrderView(crashed), announced: false, createdAt: longAgo });
    // Another crash came before its order was written: a note and nothing else.
    await orderInFlightModel(service.connection).create({ _id: `${id}-3`, customerId: id, order: toOrderView({ ...crashed, _id: `${id}-3` }), announced: false, createdAt: longAgo });
    // And a cart change whose cart.updated never reached the outbox: the change and its note are there.
    const other = newCustomer();
    const line = { product: { _id: oil.productId, name: 'Olive Oil', price: 2.2, banner: '' }, unit: 4 };
    await cartModel(service.connection).create({ _id: other.id, items: [line], version: 9 });
    await cartToAnnounceModel(service.connection).create({ _id: `crash-${other.id}`, customerId: other.id, createdAt: longAgo });
    const second = await startShoppingService(config, { handleSignals: false });
    try {
      await probe.waitFor((e) => e.type === ShoppingEvents.orderPlaced && (e.data as OrderPlaced).orderId === orderId);
      await probe.waitFor((e) => e.id === `${ShoppingEvents.cartUpdated}:${id}:8` && (e.data as { items: unknown[] }).items.length === 0);
      await probe.waitFor((e) => e.id === `${ShoppingEvents.cartUpdated}:${other.id}:9`);
      // Announced, then put in the customer's history by the consumer, which removes the note.
      await eventually(async () => expect(await orderInFlightModel(service.connection).find({ customerId: id }).lean()).toEqual([]));
      expect((await orderHistoryModel(service.connection).findById(id).lean())?.orders.map((o) => o.orderId)).toEqual([orderId]);
      await eventually(async () => expect(await cartToAnnounceModel(service.connection).find({ customerId: other.id }).lean()).toEqual([]));
      expect((await new CartRepository(service.connection).find(id)).items).toEqual([]);
      expect(await new OrderRepository(service.connection).findRequest(id, 'crashed')).toMatchObject({ orderId });
      expect(probe.received.some((e) => e.type === ShoppingEvents.orderPlaced && (e.data as OrderPlaced).orderId === `${id}-3`)).toBe(false);
    } finally {
      await second.shutdown();
    }
  });

  test('When a shopper retries an order whose placement crashed after writing it, then the retry finishes it', async () => {
    const { id, auth } = newCustomer();
    await http.put('/cart').set(auth).send({ _id: apples.productId, qty: 1 }).expect(200);
    const orderId = `${id}-1`;
    const longAgo = new Date(Date.now() - 60_000);
    const crashed = {
      _id: orderId, customerId: id, items: [{ product: { _id: apples.productId, name: 'Apples', price: 1.1, banner: '/a.jpg', type: 'fruits' }, unit: 1 }],
      amount: 1.1, status: 'received' as const, txnNumber: null, cartVersion: 1, createdAt: longAgo,
    };
    await orderModel(service.connection).create(crashed);
    await orderInFlightModel(service.connection).create({ _id: orderId, customerId: id, order: toOrderView(crashed), announced: false, createdAt: longAgo });
    expect((await http.post('/shopping/order').set(auth).send({}).expect(200)).body.orderId).toBe(orderId);
    await probe.waitFor((e) => e.type === ShoppingEvents.orderPlaced && (e.data as OrderPlaced).orderId === orderId);
    expect((await http.get('/shopping/cart').set(auth).expect(200)).body.items).toEqual([]);
    await eventually(async () => expect(await orderInFlightModel(service.connection).findById(orderId).lean()).toBeNull());
    expect((await http.get('/shopping/orders').set(auth).expect(200)).body.map((o: { orderId: string }) => o.orderId)).toEqual([orderId]);
  });

  test('When a product in the cart became unavailable, then ordering is refused and no order is left in flight', async () => {
    const { id, auth } = newCustomer();
    const fleeting = { ...apples, productId: '65b000000000000000000009', name: 'Fleeting' };
    await probe.publish(CatalogueEvents.productCreated, fleeting);
    await eventually(async () => http.put('/cart').set(auth).send({ _id: fleeting.productId, qty: 1 }).expect(200));
    await probe.publish(CatalogueEvents.productUpdated, { ...fleeting, available: false, version: 2 });
    // Once the replica knows (a cart no longer takes the product), ordering the cart is refused.
    await eventually(async () => http.put('/cart').set(auth).send({ _id: fleeting.productId, qty: 2 }).expect(409));
    expect((await http.post('/shopping/order').set(auth).send({}).expect(409)).body.error.code).toBe('PRODUCT_UNAVAILABLE');
    expect(await orderInFlightModel(service.connection).find({ customerId: id }).lean()).toEqual([]);
  });

  test('When products decides on the stock, then the order becomes confirmed or rejected', async () => {
    const { auth } = newCustomer();
    await http.put('/cart').set(auth).send({ _id: apples.productId, qty: 1 }).expect(200);
    const a = (await http.post('/shopping/order').set(auth).send({}).expect(201)).body;
    await http.put('/cart').set(auth).send({ _id: oil.productId, qty: 1 }).expect(200);
    const b = (await http.post('/shopping/order').set(auth).send({}).expect(201)).body;
    await probe.publish(StockEvents.stockReserved, { orderId: a.orderId, customerId: a.customerId });
    await probe.publish(StockEvents.stockRejected, { orderId: b.orderId, customerId: b.customerId, reason: 'not enough stock' });
    await eventually(async () => {
      const orders = (await http.get('/shopping/orders').set(auth).expect(200)).body;
      expect(orders.map((o: { orderId: string; status: string }) => [o.orderId, o.status])).toEqual([
        [b.orderId, 'rejected'],
        [a.orderId, 'confirmed'],
      ]);
    });
    expect((await http.get(`/shopping/orders/${b.orderId}`).set(auth).expect(200)).body).toMatchObject({ status: 'rejected', reason: 'not enough stock' });
    // A later, contradicting verdict changes nothing: the first one stands.
    await probe.publish(StockEvents.stockRejected, { orderId: a.orderId, customerId: a.customerId, reason: 'too late' });
    // A verdict on an order not (yet) in the history waits there; the same customer's events apply in order.
    await probe.publish(StockEvents.stockReserved, { orderId: 'no-such-order', customerId: a.customerId });
    await eventually(async () => expect((await orderHistoryModel(service.connection).findById(a.customerId).lean())?.verdicts).toEqual([{ orderId: 'no-such-order', status: 'confirmed' }]));
    expect((await http.get(`/shopping/orders/${a.orderId}`).set(auth).expect(200)).body.status).toBe('confirmed');
  });

  test('When an order is placed and decided, then its stored document is never rewritten (on FerretDB an update reads every order)', async () => {
    const { id, auth } = newCustomer();
    await http.put('/cart').set(auth).send({ _id: apples.productId, qty: 2 }).expect(200);
    const placed = (await http.post('/shopping/order').set(auth).send({ txnNumber: 'kept' }).expect(201)).body;
    const written = await orderModel(service.connection).findById(placed.orderId).lean();
    await probe.publish(StockEvents.stockReserved, { orderId: placed.orderId, customerId: id });
    await eventually(async () => expect((await http.get('/shopping/orders').set(auth).expect(200)).body).toEqual([{ ...placed, status: 'confirmed' }]));
    expect(await orderModel(service.connection).findById(placed.orderId).lean()).toEqual(written);
    expect(written).toMatchObject({ status: 'received', cartVersion: 1 });
    expect(written).not.toHaveProperty('announced');
    await eventually(async () => expect(await orderInFlightModel(service.connection).findById(placed.orderId).lean()).toBeNull());
  });

  test('When orders are listed, then they come from the history of the customer and the orders in flight, never from a read of all orders', async () => {
    const { id, auth } = newCustomer();
    const view = (n: number, minutesAgo: number) => ({
      orderId: `${id}-${n}`, customerId: id, amount: 1.1, status: 'received' as const, txnNumber: null,
      items: [{ product: { _id: apples.productId, name: 'Apples', price: 1.1, banner: '/a.jpg', type: 'fruits' }, unit: 1 }],
      createdAt: new Date(Date.now() - minutesAgo * 60_000).toISOString(),
    });
    const [first, second, third] = [view(1, 3), view(2, 2), view(3, 1)];
    await orderHistoryModel(service.connection).create({ _id: id, orders: [{ ...first, status: 'confirmed' }], verdicts: [{ orderId: second.orderId, status: 'rejected', reason: 'sold out' }] });
    await orderInFlightModel(service.connection).create({ _id: second.orderId, customerId: id, order: second, announced: true, createdAt: new Date() });
    // An order in neither (as if stored by a version of the shop before histories) is not read.
    await orderModel(service.connection).create({ _id: third.orderId, customerId: id, items: third.items, amount: 1.1, status: 'received', txnNumber: null, cartVersion: 3, createdAt: new Date() });
    expect((await http.get('/shopping/orders').set(auth).expect(200)).body).toEqual([{ ...second, status: 'rejected', reason: 'sold out' }, { ...first, status: 'confirmed' }]);
    expect((await http.get(`/shopping/orders/${id}-2`).set(auth).expect(200)).body.status).toBe('rejected');
    await http.get(`/shopping/orders/${id}-3`).set(auth).expect(404);
  });

  test('When a verdict overtakes its order.placed, then the order enters the history with that verdict', async () => {
    const { id, auth } = newCustomer();
    const orderId = `${id}-1`;
    await probe.publish(StockEvents.stockRejected, { orderId, customerId: id, reason: 'gone' });
    await eventually(async () => expect((await orderHistoryModel(service.connection).findById(id).lean())?.verdicts).toHaveLength(1));
    const placed = { orderId, customerId: id, amount: 1.1, status: 'received', txnNumber: null, items: [{ product: { _id: apples.productId, name: 'Apples', price: 1.1, banner: '' }, unit: 1 }], createdAt: new Date().toISOString() };
    await probe.publish(ShoppingEvents.orderPlaced, placed);
    await eventually(async () => expect((await http.get('/shopping/orders').set(auth).expect(200)).body).toEqual([{ ...placed, status: 'rejected', reason: 'gone' }]));
    expect((await orderHistoryModel(service.connection).findById(id).lean())?.verdicts).toEqual([]);
  });
});
