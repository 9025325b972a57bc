import {
  CatalogueEvents,
  flushLaterUpdates,
  ShoppingEvents,
  signAccessToken,
  StockEvents,
  type EventEnvelope,
  type OrderCancelled,
  type OrderPlaced,
  type ProductSnapshot,
} from '@shop/common';
import { appliedEventCount, databaseCommandsDuring, eventually, EventProbe, testServiceConfig, testSigning, uniqueTestName } from '@shop/common/testing';
import request from 'supertest';
import { productsEnv, type ProductsConfig } from './config';
import { productModel } from './database/models/product';
import { stockReservationModel } from './database/models/stock-reservation';
import { ProductRepository } from './database/product-repository';
import { StockReservationRepository } from './database/stock-reservation-repository';
import { startProductsService, type ProductsService } from './service';
import { reserveStock } from './services/commands/reserve-stock';
import type { StockContext } from './services/context';
import { CatalogueQueries } from './services/queries/catalogue-queries';

let service: ProductsService;
let config: ProductsConfig;
let probe: EventProbe;
let products: ProductRepository;

beforeAll(async () => {
  // Its database commands are counted (db_commands_total), so tests can see what a step costs.
  config = testServiceConfig('products', productsEnv, uniqueTestName('stock'), { DB_COMMAND_METRICS: 'true' });
  probe = await new EventProbe(config.amqpUrl, config.exchange).start();
  service = await startProductsService(config, { handleSignals: false });
  products = new ProductRepository(service.connection);
});

afterAll(async () => {
  await service.shutdown();
  await probe.stop();
});

async function newProduct(stock: number, available = true): Promise<string> {
  const admin = signAccessToken({ customerId: 'admin', role: 'admin' }, testSigning(config.tokens));
  const res = await request(service.server.server)
    .post('/product/create')
    .set('Authorization', `Bearer ${admin}`)
    .send({ name: 'Thing', type: 'things', unit: 1, price: 10, stock, available })
    .expect(201);
  return res.body._id;
}

let orders = 0;
function order(lines: Array<[productId: string, unit: number]>): OrderPlaced {
  const orderId = `order-${++orders}-${Date.now()}`;
  return {
    orderId,
    customerId: 'c1',
    items: lines.map(([productId, unit]) => ({ product: { _id: productId, name: 'Thing', desc: '', price: 10, banner: '', type: 'things' }, unit })),
    amount: 0,
    status: 'received',
    txnNumber: null,
    createdAt: new Date().toISOString(),
  };
}

function cancellation(placed: OrderPlaced): OrderCancelled {
  return { orderId: placed.orderId, customerId: placed.customerId, items: placed.items };
}

const forOrder = (type: string, orderId: string) => (e: EventEnvelope) => e.type === type && (e.data as { orderId: string }).orderId === orderId;
const verdict = (orderId: string) => probe.waitFor((e) => forOrder(StockEvents.stockReserved, orderId)(e) || forOrder(StockEvents.stockRejected, orderId)(e), 20_000);
const released = (orderId: string) => probe.waitFor(forOrder(StockEvents.stockReleased, orderId), 20_000);
const announced = (type: string, orderId: string) => probe.received.filter(forOrder(type, orderId));
const stockOf = async (id: string) => (await products.findById(id))!.stock;
const statusOf = async (orderId: string) => (await stockReservationModel(service.connection).findById(orderId).lean())?.status;
/** The product.updated snapshots announced for a product, oldest version first. */
const snapshotsOf = (id: string) =>
  probe.received
    .filter((e) => e.type === CatalogueEvents.productUpdated && (e.data as ProductSnapshot).productId === id)
    .map((e) => e.data as ProductSnapshot)
    .sort((x, y) => x.version - y.version);

/** Every order touching these products is settled: no product carries an order's mark. */
async function expectNoMarks(...ids: string[]): Promise<void> {
  for (const id of ids) expect(await productModel(service.connection).findById(id).lean()).toMatchObject({ reservedFor: [], releasedFor: [] });
}

describe('products: stock reservations for orders', () => {
  test('When an order is reserved, then the products it changed and the verdict are sent together without an outbox record, the products first', async () => {
    const a = await newProduct(5);
    const b = await newProduct(5);
    const placed = order([
      [a, 1],
      [b, 2],
    ]);
    const sent = await databaseCommandsDuring(config.dbName, async () => {
      await probe.publish(ShoppingEvents.orderPlaced, placed);
      await verdict(placed.orderId);
    });
    expect(sent['outbox insert']).toBeUndefined();
    await eventually(() =>
      expect(
        snapshotsOf(a)
          .concat(snapshotsOf(b))
          .map((p) => p.stock),
      ).toEqual([4, 3]),
    );
    const relayed = probe.received.filter((e) => forOrder(StockEvents.stockReserved, placed.orderId)(e) || [a, b].includes((e.data as ProductSnapshot).productId));
    expect(relayed.map((e) => e.type).slice(-3)).toEqual([CatalogueEvents.productUpdated, CatalogueEvents.productUpdated, StockEvents.stockReserved]);
  });

  test('When an order fits the stock, then every line is taken and stock.reserved is announced', async () => {
    const a = await newProduct(5);
    const b = await newProduct(3);
    const placed = order([
      [a, 2],
      [b, 3],
      [a, 1],
    ]);
    await probe.publish(ShoppingEvents.orderPlaced, placed);
    expect((await verdict(placed.orderId)).type).toBe(StockEvents.stockReserved);
    expect([await stockOf(a), await stockOf(b)]).toEqual([2, 0]);
  });

  test('When one line does not fit or a product is unavailable, then nothing is taken and stock.rejected says why', async () => {
    const a = await newProduct(5);
    const b = await newProduct(1);
    const tooMuch = order([
      [a, 2],
      [b, 2],
    ]);
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
    const placed = order([
      [a, 3],
      [b, 2],
    ]);
    // What a crash after the first line's write leaves behind: stock taken, order remembered.
    await productModel(service.connection).updateOne({ _id: a }, { $set: { stock: 7, reservedFor: [placed.orderId] }, $inc: { version: 1 } });
    await probe.publish(ShoppingEvents.orderPlaced, placed);
    expect((await verdict(placed.orderId)).type).toBe(StockEvents.stockReserved);
    expect([await stockOf(a), await stockOf(b)]).toEqual([7, 8]);
  });

  test('When an order is reserved, then its reservation is one document with its verdict, no product keeps its mark, and processed_events is not consulted', async () => {
    const a = await newProduct(5);
    const placed = order([[a, 2]]);
    const event = await probe.publish(ShoppingEvents.orderPlaced, placed);
    expect((await verdict(placed.orderId)).id).toBe(`${StockEvents.stockReserved}:${placed.orderId}`);
    expect(await stockReservationModel(service.connection).findById(placed.orderId).lean()).toMatchObject({
      customerId: 'c1',
      lines: [{ productId: a, unit: 2 }],
      status: 'reserved',
    });
    await expectNoMarks(a);
    expect(await service.connection.collection('processed_events').findOne({ _id: event.id as never })).toBeNull();
    await eventually(() => expect(snapshotsOf(a).map((p) => [p.stock, p.version])).toEqual([[3, 2]]));
  });

  test('When a delivery stopped after taking one line, then the redelivery takes each line once, or rejects and gives the line back if the stock is gone meanwhile', async () => {
    const reservations = new StockReservationRepository(service.connection);
    const a = await newProduct(10);
    const b = await newProduct(10);
    const interrupted = order([
      [a, 3],
      [b, 2],
    ]);
    // What a crash after the first line's take leaves behind: the pending reservation, a taken.
    await reservations.open({
      _id: interrupted.orderId,
      customerId: 'c1',
      lines: [
        { productId: a, unit: 3 },
        { productId: b, unit: 2 },
      ],
      status: 'pending',
      createdAt: new Date(),
    });
    expect(await products.takeLine(interrupted.orderId, { productId: a, unit: 3 })).not.toBeNull();
    await probe.publish(ShoppingEvents.orderPlaced, interrupted);
    expect((await verdict(interrupted.orderId)).type).toBe(StockEvents.stockReserved);
    expect([await stockOf(a), await stockOf(b)]).toEqual([7, 8]);
    await expectNoMarks(a, b);

    // The same crash before even the reservation was stored.
    const early = order([
      [a, 1],
      [b, 1],
    ]);
    expect(await products.takeLine(early.orderId, { productId: a, unit: 1 })).not.toBeNull();
    await probe.publish(ShoppingEvents.orderPlaced, early);
    expect((await verdict(early.orderId)).type).toBe(StockEvents.stockReserved);
    expect([await stockOf(a), await stockOf(b)]).toEqual([6, 7]);
    await expectNoMarks(a, b);

    const c = await newProduct(10);
    const d = await newProduct(10);
    const overtaken = order([
      [c, 3],
      [d, 5],
    ]);
    await reservations.open({
      _id: overtaken.orderId,
      customerId: 'c1',
      lines: [
        { productId: c, unit: 3 },
        { productId: d, unit: 5 },
      ],
      status: 'pending',
      createdAt: new Date(),
    });
    expect(await products.takeLine(overtaken.orderId, { productId: c, unit: 3 })).not.toBeNull();
    // Meanwhile an admin lowered d's stock below what the order needs.
    await productModel(service.connection).updateOne({ _id: d }, { $set: { stock: 4 }, $inc: { version: 1 } });
    await probe.publish(ShoppingEvents.orderPlaced, overtaken);
    expect((await verdict(overtaken.orderId)).data).toMatchObject({ reason: expect.stringContaining('not enough stock') });
    expect([await stockOf(c), await stockOf(d)]).toEqual([10, 4]);
    expect(await statusOf(overtaken.orderId)).toBe('rejected');
    await expectNoMarks(c, d);
    // The stock given back is announced, so replicas do not keep the taken line.
    await eventually(() => expect(snapshotsOf(c).at(-1)).toMatchObject({ stock: 10, version: 3 }));
  });

  test('When a settled order arrives again after its mark was cleared, then nothing is taken again', async () => {
    const a = await newProduct(10);
    const placed = order([[a, 4]]);
    await probe.publish(ShoppingEvents.orderPlaced, placed);
    await verdict(placed.orderId);
    // Its mark is cleared once the verdict is stored: the reservation alone decides from then on.
    await expectNoMarks(a);
    await probe.publish(ShoppingEvents.orderPlaced, placed);
    await eventually(async () =>
      expect(probe.received.filter((e) => e.type === StockEvents.stockReserved && (e.data as { orderId: string }).orderId === placed.orderId).length).toBeGreaterThanOrEqual(2),
    );
    expect(await stockOf(a)).toBe(6);
  });

  test('When a reservation changes a product, then it is marked announced with that version, and a late record of an older one hides no newer change', async () => {
    const a = await newProduct(10);
    const placed = order([[a, 1]]);
    await probe.publish(ShoppingEvents.orderPlaced, placed);
    await verdict(placed.orderId);
    await eventually(async () => expect(await productModel(service.connection).findById(a).lean()).toMatchObject({ version: 2, announced: true }));
    const changed = await products.update(a, 2, { price: 11 });
    // The record of version 2 arrives after version 3 was written (two writers, or a retry).
    products.markAnnounced(a, 2);
    await flushLaterUpdates(service.connection);
    expect((await products.findUnannounced()).map((p) => p._id.toString())).toContain(a);
    products.markAnnounced(a, changed!.version);
    await flushLaterUpdates(service.connection);
    expect((await products.findUnannounced()).map((p) => p._id.toString())).not.toContain(a);
  });

  test('When a change was sent and its mark still waits to be written, then the catch-up does not take the product for unannounced', async () => {
    const a = await newProduct(10);
    const placed = order([[a, 1]]);
    await probe.publish(ShoppingEvents.orderPlaced, placed);
    await verdict(placed.orderId);
    expect((await products.findUnannounced()).map((p) => p._id.toString())).not.toContain(a);
  });

  test('When 30 reservations for stock 10 run at the same time, then exactly 10 take a unit, each change is announced with its own version, and stock never goes below 0', async () => {
    const context: StockContext = {
      products,
      outbox: service.outbox,
      queries: new CatalogueQueries(products),
      reservations: new StockReservationRepository(service.connection),
    };
    const a = await newProduct(10);
    const placed = Array.from({ length: 30 }, () => order([[a, 1]]));
    await Promise.all(placed.map((o) => reserveStock(context, o)));
    const statuses = await Promise.all(placed.map((o) => statusOf(o.orderId)));
    expect(statuses.filter((s) => s === 'reserved')).toHaveLength(10);
    expect(statuses.filter((s) => s === 'rejected')).toHaveLength(20);
    expect(await stockOf(a)).toBe(0);
    await expectNoMarks(a);
    const verdicts = await Promise.all(placed.map((o) => verdict(o.orderId)));
    expect(verdicts.filter((v) => v.type === StockEvents.stockReserved)).toHaveLength(10);
    await eventually(() => expect(snapshotsOf(a).map((p) => [p.stock, p.version])).toEqual(Array.from({ length: 10 }, (_, i) => [9 - i, i + 2])));
  });

  test('When a reserved order is cancelled, then its stock comes back once, also when the cancel arrives again', async () => {
    const a = await newProduct(5);
    const b = await newProduct(5);
    const placed = order([
      [a, 2],
      [b, 1],
    ]);
    await probe.publish(ShoppingEvents.orderPlaced, placed);
    expect((await verdict(placed.orderId)).type).toBe(StockEvents.stockReserved);
    await probe.publish(ShoppingEvents.orderCancelled, cancellation(placed));
    expect(await released(placed.orderId)).toMatchObject({ id: `${StockEvents.stockReleased}:${placed.orderId}`, data: { orderId: placed.orderId, customerId: 'c1' } });
    expect([await stockOf(a), await stockOf(b)]).toEqual([5, 5]);
    const [cancelsBefore, placementsBefore] = [await appliedEventCount(ShoppingEvents.orderCancelled), await appliedEventCount(ShoppingEvents.orderPlaced)];
    await probe.publish(ShoppingEvents.orderCancelled, cancellation(placed));
    await probe.publish(ShoppingEvents.orderPlaced, placed);
    await eventually(async () => {
      expect(await appliedEventCount(ShoppingEvents.orderCancelled)).toBe(cancelsBefore + 1);
      expect(await appliedEventCount(ShoppingEvents.orderPlaced)).toBe(placementsBefore + 1);
    }, 20_000);
    // Each redelivery announces the release again; two announcements close together may be relayed as one.
    await eventually(() => expect(announced(StockEvents.stockReleased, placed.orderId).length).toBeGreaterThanOrEqual(2), 20_000);
    expect([await stockOf(a), await stockOf(b)]).toEqual([5, 5]);
    expect(await statusOf(placed.orderId)).toBe('released');
    await expectNoMarks(a, b);
    expect(snapshotsOf(a).map((p) => p.stock)).toEqual([3, 5]);
  });

  test('When a cancel stopped after returning one line, then the redelivered cancel returns each line once', async () => {
    const a = await newProduct(5);
    const b = await newProduct(5);
    const placed = order([
      [a, 2],
      [b, 3],
    ]);
    await probe.publish(ShoppingEvents.orderPlaced, placed);
    expect((await verdict(placed.orderId)).type).toBe(StockEvents.stockReserved);
    // What a crash after the first line's return leaves behind.
    expect(await products.returnReservedLine(placed.orderId, { productId: a, unit: 2 })).not.toBeNull();
    await probe.publish(ShoppingEvents.orderCancelled, cancellation(placed));
    await released(placed.orderId);
    expect([await stockOf(a), await stockOf(b)]).toEqual([5, 5]);
    await expectNoMarks(a, b);
  });

  test('When an order is cancelled while its reservation had taken only some lines, then exactly those come back', async () => {
    const a = await newProduct(5);
    const b = await newProduct(5);
    const placed = order([
      [a, 2],
      [b, 3],
    ]);
    await new StockReservationRepository(service.connection).open({
      _id: placed.orderId,
      customerId: 'c1',
      lines: [
        { productId: a, unit: 2 },
        { productId: b, unit: 3 },
      ],
      status: 'pending',
      createdAt: new Date(),
    });
    expect(await products.takeLine(placed.orderId, { productId: a, unit: 2 })).not.toBeNull();
    await probe.publish(ShoppingEvents.orderCancelled, cancellation(placed));
    await released(placed.orderId);
    expect([await stockOf(a), await stockOf(b)]).toEqual([5, 5]);
    expect(await statusOf(placed.orderId)).toBe('released');
    await expectNoMarks(a, b);
    expect(announced(StockEvents.stockReserved, placed.orderId)).toHaveLength(0);
  });

  test('When an order is cancelled before it is placed, then stock.released is announced and the later order.placed takes nothing', async () => {
    const a = await newProduct(5);
    const placed = order([[a, 2]]);
    await probe.publish(ShoppingEvents.orderCancelled, cancellation(placed));
    await released(placed.orderId);
    expect(await statusOf(placed.orderId)).toBe('released');
    await probe.publish(ShoppingEvents.orderPlaced, placed);
    await eventually(() => expect(announced(StockEvents.stockReleased, placed.orderId)).toHaveLength(2), 20_000);
    expect(await stockOf(a)).toBe(5);
    expect(await statusOf(placed.orderId)).toBe('released');
    expect([...announced(StockEvents.stockReserved, placed.orderId), ...announced(StockEvents.stockRejected, placed.orderId)]).toHaveLength(0);
    expect(snapshotsOf(a)).toHaveLength(0);
    await expectNoMarks(a);
  });

  test('When a rejected order is cancelled, then it is released and the stock stays as it was', async () => {
    const a = await newProduct(5);
    const b = await newProduct(1);
    const placed = order([
      [a, 2],
      [b, 2],
    ]);
    await probe.publish(ShoppingEvents.orderPlaced, placed);
    expect((await verdict(placed.orderId)).type).toBe(StockEvents.stockRejected);
    await probe.publish(ShoppingEvents.orderCancelled, cancellation(placed));
    await released(placed.orderId);
    expect([await stockOf(a), await stockOf(b)]).toEqual([5, 1]);
    expect(await statusOf(placed.orderId)).toBe('released');
    await expectNoMarks(a, b);
  });

  test("When orders arrive together, then different orders are applied side by side and one order's placed and cancelled in the order they came", async () => {
    const a = await newProduct(100);
    const placed = Array.from({ length: 20 }, () => order([[a, 1]]));
    await Promise.all(
      placed.flatMap((o, i) => [probe.publish(ShoppingEvents.orderPlaced, o), ...(i % 2 === 0 ? [probe.publish(ShoppingEvents.orderCancelled, cancellation(o))] : [])]),
    );
    await Promise.all(placed.map((o, i) => (i % 2 === 0 ? released(o.orderId) : verdict(o.orderId))));
    const cancelled = placed.filter((_, i) => i % 2 === 0).map((o) => o.orderId);
    await eventually(async () => expect(await stockOf(a)).toBe(90));
    for (const orderId of cancelled) expect(announced(StockEvents.stockReserved, orderId)).toHaveLength(1);
    await expectNoMarks(a);
    // Side by side: applied one at a time, no order's reservation would be opened before the verdict of the one before it.
    const reservations = await Promise.all(placed.map((o) => stockReservationModel(service.connection).findById(o.orderId).lean()));
    const spans = placed.map((o, i) => ({ opened: reservations[i]!.createdAt.getTime(), decided: Date.parse(announced(StockEvents.stockReserved, o.orderId)[0]!.occurredAt) }));
    expect(spans.some((x) => spans.some((y) => x !== y && x.opened <= y.opened && y.opened < x.decided))).toBe(true);
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

  test('When two products instances get orders placed and cancelled at the same time, then each cancelled order ends released with its stock back, the others stay reserved, and no mark is left', async () => {
    const second = await startProductsService(config, { handleSignals: false });
    try {
      const a = await newProduct(100);
      const b = await newProduct(100);
      const placed = Array.from({ length: 30 }, () =>
        order([
          [a, 1],
          [b, 2],
        ]),
      );
      const cancelled = placed.filter((_, i) => i % 2 === 0);
      await Promise.all([
        ...placed.map((o) => probe.publish(ShoppingEvents.orderPlaced, o)),
        ...cancelled.map((o) => probe.publish(ShoppingEvents.orderCancelled, cancellation(o))),
      ]);
      await Promise.all(cancelled.map((o) => released(o.orderId)));
      await eventually(
        async () => expect(await Promise.all(placed.map((o) => statusOf(o.orderId)))).toEqual(placed.map((_, i) => (i % 2 === 0 ? 'released' : 'reserved'))),
        20_000,
      );
      await eventually(async () => expect([await stockOf(a), await stockOf(b)]).toEqual([85, 70]), 20_000);
      await eventually(() => expectNoMarks(a, b), 20_000);
    } finally {
      await second.shutdown();
    }
  });
});
