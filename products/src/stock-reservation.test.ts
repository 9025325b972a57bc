import { ShoppingEvents, signAccessToken, StockEvents, type OrderPlaced } from '@shop/common';
import { eventually, EventProbe, testServiceConfig, uniqueTestName } from '@shop/common/testing';
import request from 'supertest';
import { productsEnv, type ProductsConfig } from './config';
import { productModel } from './database/models/product';
import { appliedReservationModel, stockReservationModel } from './database/models/stock-reservation';
import { ProductRepository } from './database/product-repository';
import { startProductsService, type ProductsService } from './service';

let service: ProductsService;
let config: ProductsConfig;
let probe: EventProbe;
let products: ProductRepository;

beforeAll(async () => {
  config = testServiceConfig('products', productsEnv, uniqueTestName('stock'));
  probe = await new EventProbe(config.amqpUrl, config.exchange).start();
  service = await startProductsService(config, { handleSignals: false });
  products = new ProductRepository(service.connection);
});

afterAll(async () => {
  await service.shutdown();
  await probe.stop();
});

async function newProduct(stock: number, available = true): Promise<string> {
  const admin = signAccessToken({ customerId: 'admin', role: 'admin' }, config.tokens);
  const res = await request(service.server.server).post('/product/create').set('Authorization', `Bearer ${admin}`)
    .send({ name: 'Thing', type: 'things', unit: 1, price: 10, stock, available }).expect(201);
  return res.body._id;
}

let orders = 0;
function order(lines: Array<[productId: string, unit: number]>): OrderPlaced {
  const orderId = `order-${++orders}-${Date.now()}`;
  return {
    orderId,
    customerId: 'c1',
    items: lines.map(([productId, unit]) => ({ product: { _id: productId, name: 'Thing', price: 10, banner: '' }, unit })),
    amount: 0,
    status: 'received',
    txnNumber: null,
    createdAt: new Date().toISOString(),
  };
}

const verdict = (orderId: string) => probe.waitFor((e) => (e.type === StockEvents.stockReserved || e.type === StockEvents.stockRejected) && (e.data as { orderId: string }).orderId === orderId, 20_000);
const stockOf = async (id: string) => (await products.findById(id))!.stock;

describe('products: stock reservations for orders', () => {
  test('When an order fits the stock, then every line is taken and stock.reserved is announced', async () => {
    const a = await newProduct(5);
    const b = await newProduct(3);
    const placed = order([[a, 2], [b, 3], [a, 1]]);
    await probe.publish(ShoppingEvents.orderPlaced, placed);
    expect((await verdict(placed.orderId)).type).toBe(StockEvents.stockReserved);
    expect([await stockOf(a), await stockOf(b)]).toEqual([2, 0]);
  });

  test('When one line does not fit or a product is unavailable, then nothing is taken and stock.rejected says why', async () => {
    const a = await newProduct(5);
    const b = await newProduct(1);
    const tooMuch = order([[a, 2], [b, 2]]);
    await probe.publish(ShoppingEvents.orderPlaced, tooMuch);
    const rejected = await verdict(tooMuch.orderId);
    expect(rejected).toMatchObject({ type: StockEvents.stockRejected, data: { reason: expect.stringContaining('not enough stock') } });
    expect([await stockOf(a), await stockOf(b)]).toEqual([5, 1]);
    const off = await newProduct(5, false);
    const unavailable = order([[off, 1]]);
    await probe.publish(ShoppingEvents.orderPlaced, unavailable);
    expect((await verdict(unavailable.orderId)).data).toMatchObject({ reason: expect.stringContaining('not available') });
  });

  test('When the same order arrives again (same or new event id), then its stock is taken once', async () => {
    const a = await newProduct(10);
    const placed = order([[a, 4]]);
    const first = await probe.publish(ShoppingEvents.orderPlaced, placed);
    await probe.publish(ShoppingEvents.orderPlaced, placed, { id: first.id });
    await probe.publish(ShoppingEvents.orderPlaced, placed);
    await verdict(placed.orderId);
    await eventually(async () => expect(probe.received.filter((e) => e.type === ShoppingEvents.orderPlaced && (e.data as OrderPlaced).orderId === placed.orderId)).toHaveLength(3));
    await new Promise((r) => setTimeout(r, 300));
    expect(await stockOf(a)).toBe(6);
  });

  test('When a delivery was interrupted after taking a line, then the redelivery does not take it again', async () => {
    const a = await newProduct(10);
    const b = await newProduct(10);
    const placed = order([[a, 3], [b, 2]]);
    // What a crash after the first line's write leaves behind: stock taken, order remembered.
    await productModel(service.connection).updateOne({ _id: a }, { $set: { stock: 7, reservedFor: [placed.orderId] }, $inc: { version: 1 } });
    await probe.publish(ShoppingEvents.orderPlaced, placed);
    expect((await verdict(placed.orderId)).type).toBe(StockEvents.stockReserved);
    expect([await stockOf(a), await stockOf(b)]).toEqual([7, 8]);
  });

  test('When an order is reserved, then its decision is stored once and marked applied, and processed_events is not consulted', async () => {
    const a = await newProduct(5);
    const placed = order([[a, 2]]);
    const event = await probe.publish(ShoppingEvents.orderPlaced, placed);
    expect((await verdict(placed.orderId)).type).toBe(StockEvents.stockReserved);
    expect(await stockReservationModel(service.connection).findById(placed.orderId).lean()).toMatchObject({ status: 'reserved', claimedFirst: true });
    expect(await appliedReservationModel(service.connection).findById(placed.orderId).lean()).not.toBeNull();
    expect(await service.connection.collection('processed_events').findOne({ _id: event.id as never })).toBeNull();
  });

  test('When a delivery stopped after storing its decision, then the redelivery applies that decision, or rejects if the stock is gone meanwhile', async () => {
    const a = await newProduct(10);
    const b = await newProduct(10);
    const interrupted = order([[a, 3], [b, 2]]);
    // What a crash after the first line's write leaves behind: the decision, stock taken from a only.
    await stockReservationModel(service.connection).create({ _id: interrupted.orderId, lines: [], status: 'reserved', createdAt: new Date(), claimedFirst: true });
    await productModel(service.connection).updateOne({ _id: a }, { $set: { stock: 7, reservedFor: [interrupted.orderId] }, $inc: { version: 1 } });
    await probe.publish(ShoppingEvents.orderPlaced, interrupted);
    expect((await verdict(interrupted.orderId)).type).toBe(StockEvents.stockReserved);
    expect([await stockOf(a), await stockOf(b)]).toEqual([7, 8]);

    const c = await newProduct(10);
    const d = await newProduct(10);
    const overtaken = order([[c, 3], [d, 5]]);
    await stockReservationModel(service.connection).create({ _id: overtaken.orderId, lines: [], status: 'reserved', createdAt: new Date(), claimedFirst: true });
    await productModel(service.connection).updateOne({ _id: c }, { $set: { stock: 7, reservedFor: [overtaken.orderId] }, $inc: { version: 1 } });
    // Meanwhile an admin lowered d's stock below what the order needs.
    await productModel(service.connection).updateOne({ _id: d }, { $set: { stock: 4 }, $inc: { version: 1 } });
    await probe.publish(ShoppingEvents.orderPlaced, overtaken);
    expect((await verdict(overtaken.orderId)).data).toMatchObject({ reason: expect.stringContaining('not enough stock') });
    expect([await stockOf(c), await stockOf(d)]).toEqual([10, 4]);
    expect(await stockReservationModel(service.connection).findById(overtaken.orderId).lean()).toMatchObject({ status: 'rejected' });
  });

  test('When an applied order arrives again after its product forgot it, then nothing is taken again', async () => {
    const a = await newProduct(10);
    const placed = order([[a, 4]]);
    await probe.publish(ShoppingEvents.orderPlaced, placed);
    await verdict(placed.orderId);
    // reservedFor keeps only the latest orders: this one has dropped out of it.
    await productModel(service.connection).updateOne({ _id: a }, { $set: { reservedFor: [] }, $inc: { version: 1 } });
    await probe.publish(ShoppingEvents.orderPlaced, placed);
    await eventually(async () => expect(probe.received.filter((e) => e.type === StockEvents.stockReserved && (e.data as { orderId: string }).orderId === placed.orderId).length).toBeGreaterThanOrEqual(2));
    expect(await stockOf(a)).toBe(6);
  });

  test('When a reservation changes a product, then its announcement is recorded as the version announced, and a late record of an older one hides no newer change', async () => {
    const a = await newProduct(10);
    const placed = order([[a, 1]]);
    await probe.publish(ShoppingEvents.orderPlaced, placed);
    await verdict(placed.orderId);
    await eventually(async () => expect(await productModel(service.connection).findById(a).lean()).toMatchObject({ version: 2, announcedVersion: 2, announced: true }));
    const changed = await products.update(a, 2, { price: 11 });
    // The record of version 2 arrives after version 3 was written (two writers, or a retry).
    await products.markAnnounced(a, 2);
    expect((await products.findUnannounced()).map((p) => p._id.toString())).toContain(a);
    await products.markAnnounced(a, changed!.version);
    expect((await products.findUnannounced()).map((p) => p._id.toString())).not.toContain(a);
  });

  test('When 50 orders for a product with stock 10 arrive at once at two products instances, then exactly 10 are reserved and stock ends at 0', async () => {
    const second = await startProductsService(config, { handleSignals: false });
    try {
      const a = await newProduct(10);
      const placed = Array.from({ length: 50 }, () => order([[a, 1]]));
      await Promise.all(placed.map((o) => probe.publish(ShoppingEvents.orderPlaced, o)));
      const verdicts = await Promise.all(placed.map((o) => verdict(o.orderId)));
      expect(verdicts.filter((v) => v.type === StockEvents.stockReserved)).toHaveLength(10);
      expect(verdicts.filter((v) => v.type === StockEvents.stockRejected)).toHaveLength(40);
      expect(await stockOf(a)).toBe(0);
    } finally {
      await second.shutdown();
    }
  });
});
