import { CatalogueEvents, flushLaterUpdates, orderEventId, ShoppingEvents, signAccessToken, StockEvents, type OrderPlaced } from '@shop/common';
import { appliedEventCount, databaseCommandsDuring, eventually, EventProbe, testServiceConfig, testSigning, uniqueTestName } from '@shop/common/testing';
import request from 'supertest';
import { shoppingEnv, type ShoppingConfig } from './config';
import { CartRepository } from './database/cart-repository';
import { cartModel, type Cart } from './database/models/cart';
import { orderModel, type Order } from './database/models/order';
import { OrderRepository } from './database/order-repository';
import { startShoppingService, type ShoppingService } from './service';

let service: ShoppingService;
let config: ShoppingConfig;
let probe: EventProbe;
let http: ReturnType<typeof request>;

const apples = {
  productId: '65b000000000000000000001',
  name: 'Apples',
  desc: 'Crisp apples',
  type: 'fruits',
  banner: '/a.jpg',
  unit: 1,
  price: 1.1,
  available: true,
  suplier: 'x',
  stock: 50,
  version: 1,
};
const oil = { ...apples, productId: '65b000000000000000000002', name: 'Olive Oil', type: 'oils', price: 2.2 };
const soldOut = { ...apples, productId: '65b000000000000000000003', name: 'Gone', available: false };

beforeAll(async () => {
  // Its database commands are counted (db_commands_total), so tests can see what a request costs.
  config = testServiceConfig('shopping', shoppingEnv, uniqueTestName('shopping'), { DB_COMMAND_METRICS: 'true' });
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
  return { id, auth: { Authorization: `Bearer ${signAccessToken({ customerId: id, role: 'customer' }, testSigning(config.tokens))}` } };
}

describe('shopping: the cart', () => {
  test('When a shopper sets quantities, then the cart holds each product once at the set quantity, and each change is announced', async () => {
    const { id, auth } = newCustomer();
    const res = await http.put('/cart').set(auth).send({ _id: apples.productId, qty: 2 }).expect(200);
    expect(res.body).toEqual({ product: { _id: apples.productId, name: 'Apples', desc: 'Crisp apples', price: 1.1, banner: '/a.jpg', type: 'fruits' }, unit: 2 });
    await http.put('/cart').set(auth).send({ _id: apples.productId, qty: 5 }).expect(200);
    await http.put('/cart').set(auth).send({ _id: oil.productId, qty: 1 }).expect(200);
    const cart = await http.get('/shopping/cart').set(auth).expect(200);
    // As the original answered it: an array holding the cart document, its lines with the product's desc.
    expect(cart.body).toEqual([
      { _id: id, customerId: id, items: [{ product: expect.objectContaining({ _id: apples.productId, desc: 'Crisp apples' }), unit: 5 }, expect.objectContaining({ unit: 1 })] },
    ]);
    expect((await new CartRepository(service.connection).find(id)).version).toBe(3);
    await probe.waitFor(
      (e) => e.type === ShoppingEvents.cartUpdated && (e.data as { customerId: string; version: number }).customerId === id && (e.data as { version: number }).version === 3,
    );

    const removed = await http.delete(`/cart/${apples.productId}`).set(auth).expect(200);
    expect(removed.body).toMatchObject({ product: { _id: apples.productId }, unit: 0 });
    await http.delete(`/cart/${apples.productId}`).set(auth).expect(200);
    expect((await http.get('/shopping/cart').set(auth).expect(200)).body[0].items).toEqual([expect.objectContaining({ product: expect.objectContaining({ _id: oil.productId }) })]);
    // Each change (the second removal was none) is marked announced once its cart.updated is sent.
    await eventually(async () => expect(await cartModel(service.connection).findById(id).lean()).toMatchObject({ version: 4, announced: true }));
  });

  test('When the quantity or product is wrong, then 400, 404 or 409 and the cart is unchanged', async () => {
    const { id, auth } = newCustomer();
    for (const qty of [0, -1, 1.5, '2', null, 1e9, { $gt: 0 }]) await http.put('/cart').set(auth).send({ _id: apples.productId, qty }).expect(400);
    expect((await http.put('/cart').set(auth).send({ _id: '000000000000000000000000', qty: 1 }).expect(404)).body.error.code).toBe('PRODUCT_NOT_FOUND');
    expect((await http.put('/cart').set(auth).send({ _id: soldOut.productId, qty: 1 }).expect(409)).body.error.code).toBe('PRODUCT_UNAVAILABLE');
    await http.put('/cart').set(auth).send({ _id: 'x', qty: 1 }).expect(400);
    expect((await new CartRepository(service.connection).find(id)).items).toEqual([]);
  });

  test('When one shopper changes the cart many times at once, then no change is lost, and every version is announced once', async () => {
    const { id, auth } = newCustomer();
    await Promise.all([
      ...[apples, oil].map((p) => http.put('/cart').set(auth).send({ _id: p.productId, qty: 3 }).expect(200)),
      ...Array.from({ length: 8 }, (_, i) =>
        http
          .put('/cart')
          .set(auth)
          .send({ _id: apples.productId, qty: i + 1 })
          .expect(200),
      ),
    ]);
    const cart = await new CartRepository(service.connection).find(id);
    expect(cart.items.map((item) => item.product._id).sort()).toEqual([apples.productId, oil.productId].sort());
    expect(cart.version).toBe(10);
    const versions = async () =>
      probe.received
        .filter((e) => e.type === ShoppingEvents.cartUpdated && (e.data as { customerId: string }).customerId === id)
        .map((e) => (e.data as { version: number }).version);
    await eventually(async () => expect((await versions()).sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1)));
  });

  test('When a shopper has no cart yet, then the answer is an array holding an empty cart document', async () => {
    const { id, auth } = newCustomer();
    expect((await http.get('/shopping/cart').set(auth).expect(200)).body).toEqual([{ _id: id, customerId: id, items: [] }]);
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
    expect((await http.get('/shopping/cart').set(auth).expect(200)).body[0].items).toEqual([]);
    const placed = await probe.waitFor((e) => e.type === ShoppingEvents.orderPlaced && (e.data as OrderPlaced).orderId === res.body.orderId);
    expect(placed.data).toMatchObject({ customerId: id, amount: 5.5 });
    expect((await http.get('/shopping/orders').set(auth).expect(200)).body).toEqual([expect.objectContaining({ orderId: res.body.orderId })]);
  });

  test("When a shopper orders, then the order's events and the emptied cart's are sent together without an outbox record, and the cart is not marked again", async () => {
    const { id, auth } = newCustomer();
    await http.put('/cart').set(auth).send({ _id: apples.productId, qty: 2 }).expect(200);
    // The cart's change is marked a moment later: not in what the order sends.
    await flushLaterUpdates(service.connection);
    let orderId = '';
    const sent = await databaseCommandsDuring(config.dbName, async () => {
      orderId = (await http.post('/shopping/order').set(auth).send({ txnNumber: 'counted' }).expect(201)).body.orderId;
    });
    expect(sent).toMatchObject({ 'orders insert': 1, 'carts findAndModify': 1, 'orders update': 1 });
    expect(sent['outbox insert']).toBeUndefined();
    // The emptied cart is announced with the order, and its emptying clears its flag.
    expect(sent['carts update']).toBeUndefined();
    expect(await orderModel(service.connection).findById(orderId).lean()).toMatchObject({ announced: true });
    expect(await cartModel(service.connection).findById(id).lean()).toMatchObject({ announced: true, version: 2 });
    await probe.waitFor((e) => e.type === ShoppingEvents.orderPlaced && (e.data as OrderPlaced).orderId === orderId);
    await probe.waitFor((e) => e.id === `${ShoppingEvents.cartUpdated}:${id}:2` && (e.data as { items: unknown[] }).items.length === 0);
    const relayed = probe.received.filter((e) => e.id === orderEventId(ShoppingEvents.orderPlaced, orderId) || e.id === `${ShoppingEvents.cartUpdated}:${id}:2`);
    expect(relayed.map((e) => e.type)).toEqual([ShoppingEvents.orderPlaced, ShoppingEvents.cartUpdated]);
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
    expect((await http.get('/shopping/cart').set(auth).expect(200)).body[0].items).toHaveLength(1);
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
    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        http
          .post('/shopping/order')
          .set(auth)
          .send({ txnNumber: `t${i}` }),
      ),
    );
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
    expect((await http.get('/shopping/cart').set(other.auth).expect(200)).body[0].items).toEqual([]);
  });

  test('When a crash cut a placement or a cancel off, then the next start announces them: the order, its emptied cart, the cancel', async () => {
    const { id } = newCustomer();
    const orderId = `${id}-7`;
    const longAgo = new Date(Date.now() - 60_000);
    const apple = { product: { _id: apples.productId, name: 'Apples', desc: 'Crisp apples', price: 1.1, banner: '', type: 'fruits' }, unit: 1 };
    // The crash came after the order was written: the cart is not yet emptied, nothing announced.
    await cartModel(service.connection).create(storedCart(id, [apple], 7, { announced: true }));
    await orderModel(service.connection).create(
      storedOrder({ _id: orderId, customerId: id, items: [apple], txnNumber: 'crashed', cartVersion: 7, createdAt: longAgo, updatedAt: longAgo }),
    );
    // Another order's cancel was stored, but not its order.cancelled.
    const cancelledId = `${id}-5`;
    await orderModel(service.connection).create(
      storedOrder({ _id: cancelledId, customerId: id, items: [apple], status: 'cancelling', cartVersion: 5, createdAt: longAgo, updatedAt: longAgo }),
    );
    // And a cart change whose cart.updated never reached the outbox: the change and its note are there.
    const other = newCustomer();
    const line = { product: { _id: oil.productId, name: 'Olive Oil', desc: '', price: 2.2, banner: '', type: 'oils' }, unit: 4 };
    await cartModel(service.connection).create(storedCart(other.id, [line], 9, { announced: false, updatedAt: longAgo }));
    const second = await startShoppingService(config, { handleSignals: false });
    try {
      await probe.waitFor((e) => e.type === ShoppingEvents.orderPlaced && (e.data as OrderPlaced).orderId === orderId);
      await probe.waitFor((e) => e.id === `${ShoppingEvents.cartUpdated}:${id}:8` && (e.data as { items: unknown[] }).items.length === 0);
      await probe.waitFor((e) => e.id === `${ShoppingEvents.cartUpdated}:${other.id}:9`);
      await probe.waitFor((e) => e.id === orderEventId(ShoppingEvents.orderCancelled, cancelledId) && (e.data as { items: unknown[] }).items.length === 1);
      await eventually(async () => expect(await cartModel(service.connection).findById(other.id).lean()).toMatchObject({ announced: true }));
      expect((await new CartRepository(service.connection).find(id)).items).toEqual([]);
      expect(await new OrderRepository(service.connection).findRequest(id, 'crashed')).toMatchObject({ orderId });
      await eventually(async () => expect(await orderModel(service.connection).find({ customerId: id, announced: false }).lean()).toEqual([]));
    } finally {
      await second.shutdown();
    }
  });

  test('When a shopper retries an order whose placement crashed after writing it, then the retry finishes it', async () => {
    const { id, auth } = newCustomer();
    await http.put('/cart').set(auth).send({ _id: apples.productId, qty: 1 }).expect(200);
    const orderId = `${id}-1`;
    const longAgo = new Date(Date.now() - 60_000);
    const items = [{ product: { _id: apples.productId, name: 'Apples', desc: 'Crisp apples', price: 1.1, banner: '/a.jpg', type: 'fruits' }, unit: 1 }];
    await orderModel(service.connection).create(storedOrder({ _id: orderId, customerId: id, items, cartVersion: 1, createdAt: longAgo, updatedAt: longAgo }));
    expect((await http.post('/shopping/order').set(auth).send({}).expect(200)).body.orderId).toBe(orderId);
    await probe.waitFor((e) => e.type === ShoppingEvents.orderPlaced && (e.data as OrderPlaced).orderId === orderId);
    expect((await http.get('/shopping/cart').set(auth).expect(200)).body[0].items).toEqual([]);
    expect(await orderModel(service.connection).findById(orderId).lean()).toMatchObject({ announced: true });
    expect((await http.get('/shopping/orders').set(auth).expect(200)).body.map((o: { orderId: string }) => o.orderId)).toEqual([orderId]);
  });

  test('When a product in the cart became unavailable, then ordering is refused and no order is made', async () => {
    const { id, auth } = newCustomer();
    const fleeting = { ...apples, productId: '65b000000000000000000009', name: 'Fleeting' };
    await probe.publish(CatalogueEvents.productCreated, fleeting);
    await eventually(async () => http.put('/cart').set(auth).send({ _id: fleeting.productId, qty: 1 }).expect(200));
    await probe.publish(CatalogueEvents.productUpdated, { ...fleeting, available: false, version: 2 });
    // Once the replica knows (a cart no longer takes the product), ordering the cart is refused.
    await eventually(async () => http.put('/cart').set(auth).send({ _id: fleeting.productId, qty: 2 }).expect(409));
    expect((await http.post('/shopping/order').set(auth).send({}).expect(409)).body.error.code).toBe('PRODUCT_UNAVAILABLE');
    expect(await orderModel(service.connection).find({ customerId: id }).lean()).toEqual([]);
  });

  test('When products decides on the stock, then the order becomes confirmed or rejected, and the first verdict stands', async () => {
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
    // A later, contradicting verdict changes nothing; a verdict on an unknown order makes none.
    const [rejectedBefore, reservedBefore] = [await appliedEventCount(StockEvents.stockRejected), await appliedEventCount(StockEvents.stockReserved)];
    await probe.publish(StockEvents.stockRejected, { orderId: a.orderId, customerId: a.customerId, reason: 'too late' });
    await probe.publish(StockEvents.stockReserved, { orderId: 'no-such-order', customerId: a.customerId });
    await probe.publish(StockEvents.stockReserved, { orderId: b.orderId, customerId: b.customerId });
    await eventually(async () => {
      expect(await appliedEventCount(StockEvents.stockRejected)).toBe(rejectedBefore + 1);
      expect(await appliedEventCount(StockEvents.stockReserved)).toBe(reservedBefore + 2);
    });
    expect((await http.get(`/shopping/orders/${a.orderId}`).set(auth).expect(200)).body.status).toBe('confirmed');
    expect((await http.get(`/shopping/orders/${b.orderId}`).set(auth).expect(200)).body.status).toBe('rejected');
    expect(await orderModel(service.connection).findById('no-such-order').lean()).toBeNull();
  });

  test('When a shopper has many orders, then they are listed newest first with their status, each as the API shows it', async () => {
    const { id, auth } = newCustomer();
    const placed: Array<{ orderId: string }> = [];
    for (let n = 0; n < 4; n++) {
      await http
        .put('/cart')
        .set(auth)
        .send({ _id: apples.productId, qty: n + 1 })
        .expect(200);
      placed.push((await http.post('/shopping/order').set(auth).send({}).expect(201)).body);
    }
    await probe.publish(StockEvents.stockReserved, { orderId: placed[1]!.orderId, customerId: id });
    await eventually(async () => expect((await http.get(`/shopping/orders/${placed[1]!.orderId}`).set(auth).expect(200)).body.status).toBe('confirmed'));
    const listed = (await http.get('/shopping/orders').set(auth).expect(200)).body;
    expect(listed.map((o: { orderId: string }) => o.orderId)).toEqual(placed.map((o) => o.orderId).reverse());
    expect(listed[2]).toEqual({ ...placed[1], status: 'confirmed' });
    expect(Object.keys(listed[0]).sort()).toEqual(['amount', 'createdAt', 'customerId', 'items', 'orderId', 'status', 'txnNumber']);
  });
});

describe('shopping: cancelling an order', () => {
  async function placeOne(auth: { Authorization: string }): Promise<{ orderId: string; customerId: string }> {
    await http.put('/cart').set(auth).send({ _id: apples.productId, qty: 2 }).expect(200);
    return (await http.post('/shopping/order').set(auth).send({}).expect(201)).body;
  }
  const cancelsOf = (orderId: string) => probe.received.filter((e) => e.id === orderEventId(ShoppingEvents.orderCancelled, orderId));

  test('When a shopper cancels a confirmed order, then it is cancelling, order.cancelled carries its lines, and released stock makes it cancelled', async () => {
    const { id, auth } = newCustomer();
    const order = await placeOne(auth);
    await probe.publish(StockEvents.stockReserved, { orderId: order.orderId, customerId: id });
    await eventually(async () => expect((await http.get(`/shopping/orders/${order.orderId}`).set(auth).expect(200)).body.status).toBe('confirmed'));

    const res = await http.post(`/shopping/orders/${order.orderId}/cancel`).set(auth).expect(200);
    expect(res.body).toMatchObject({ orderId: order.orderId, status: 'cancelling' });
    const cancelled = await probe.waitFor((e) => e.id === orderEventId(ShoppingEvents.orderCancelled, order.orderId));
    expect(cancelled.data).toEqual({ orderId: order.orderId, customerId: id, items: [expect.objectContaining({ unit: 2 })] });
    // Cancelling again answers the order as it is and announces nothing new.
    expect((await http.post(`/shopping/orders/${order.orderId}/cancel`).set(auth).expect(200)).body.status).toBe('cancelling');

    await probe.publish(StockEvents.stockReleased, { orderId: order.orderId, customerId: id });
    await eventually(async () => expect((await http.get(`/shopping/orders/${order.orderId}`).set(auth).expect(200)).body.status).toBe('cancelled'));
    expect((await http.post(`/shopping/orders/${order.orderId}/cancel`).set(auth).expect(200)).body.status).toBe('cancelled');
    expect(cancelsOf(order.orderId)).toHaveLength(1);
    // The placement was announced already: a cancel does not announce it again.
    expect(probe.received.filter((e) => e.id === orderEventId(ShoppingEvents.orderPlaced, order.orderId))).toHaveLength(1);
  });

  test("When the order is rejected, unknown or another customer's, then 409 or 404 and nothing is announced", async () => {
    const owner = newCustomer();
    const order = await placeOne(owner.auth);
    await http.post(`/shopping/orders/${order.orderId}/cancel`).set(newCustomer().auth).expect(404);
    expect((await http.post('/shopping/orders/no-such-order/cancel').set(owner.auth).expect(404)).body.error.code).toBe('ORDER_NOT_FOUND');
    await probe.publish(StockEvents.stockRejected, { orderId: order.orderId, customerId: owner.id, reason: 'sold out' });
    await eventually(async () => expect((await http.get(`/shopping/orders/${order.orderId}`).set(owner.auth).expect(200)).body.status).toBe('rejected'));
    expect((await http.post(`/shopping/orders/${order.orderId}/cancel`).set(owner.auth).expect(409)).body.error.code).toBe('ORDER_NOT_CANCELLABLE');
    await http.post('/shopping/orders/x/cancel').expect(401);
    expect(cancelsOf(order.orderId)).toHaveLength(0);
  });

  test('When cancels race the stock confirmation, then the order ends cancelled, announced once, whatever came first', async () => {
    const { id, auth } = newCustomer();
    const order = await placeOne(auth);
    const reservedBefore = await appliedEventCount(StockEvents.stockReserved);
    const [responses] = await Promise.all([
      Promise.all(Array.from({ length: 8 }, () => http.post(`/shopping/orders/${order.orderId}/cancel`).set(auth))),
      probe.publish(StockEvents.stockReserved, { orderId: order.orderId, customerId: id }),
    ]);
    for (const r of responses) expect(r.status).toBe(200);
    await probe.waitFor((e) => e.id === orderEventId(ShoppingEvents.orderCancelled, order.orderId));
    // The confirmation, applied before or after the cancel, leaves the order cancelling.
    await eventually(async () => expect(await appliedEventCount(StockEvents.stockReserved)).toBeGreaterThanOrEqual(reservedBefore + 1));
    expect((await http.get(`/shopping/orders/${order.orderId}`).set(auth).expect(200)).body.status).toBe('cancelling');
    await probe.publish(StockEvents.stockReleased, { orderId: order.orderId, customerId: id });
    await eventually(async () => expect((await http.get(`/shopping/orders/${order.orderId}`).set(auth).expect(200)).body.status).toBe('cancelled'));
    expect(cancelsOf(order.orderId)).toHaveLength(1);
  });
});

/** A cart as stored. */
function storedCart(customerId: string, items: Array<{ product: { _id: string } }>, version: number, fields: Partial<Cart>): Cart {
  const lines = Object.fromEntries(items.map((item) => [item.product._id, item])) as Cart['lines'];
  return { _id: customerId, lines, version, announced: true, updatedAt: new Date(), ...fields };
}

/** An order as stored, with what a test does not care about filled in. */
function storedOrder(fields: Partial<Order> & Pick<Order, '_id' | 'customerId' | 'items'>): Order {
  const now = new Date();
  return { amount: 1.1, status: 'received', txnNumber: null, cartVersion: 1, createdAt: now, announced: false, updatedAt: now, ...fields };
}
