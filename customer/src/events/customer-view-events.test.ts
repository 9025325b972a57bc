import amqp from 'amqplib';
import type { Connection } from 'mongoose';
import { CatalogueReplica, deadLetterQueueName, ShoppingEvents, StockEvents, type EventEnvelope } from '@shop/common';
import { startTestConsumer, type ConsumerInstance, type TestConsumer } from '@shop/common/testing/consumer-batches';
import { eventually, shuffled, testServers } from '@shop/common/testing';
import { CustomerViewRepository } from '../database/customer-view-repository';
import { customerEventHandlers } from '.';

// The customer's event pipeline as the service runs it (its handlers on the batching consumer,
// FerretDB, RabbitMQ), on a connection that reports each command it sends to the database.
let consumer: TestConsumer;
let views: CustomerViewRepository;

beforeAll(async () => {
  consumer = await startTestConsumer(
    'customerview',
    (connection) => customerEventHandlers({ views: new CustomerViewRepository(connection), catalogue: new CatalogueReplica(connection) }),
    { maxAttempts: 2, retryDelayMs: 10 },
  );
  views = new CustomerViewRepository(consumer.reads);
});

afterAll(() => consumer.stop());

let customers = 0;
function aShopper(): { customerId: string; events: Array<[string, object]> } {
  const customerId = `customer-${++customers}-${Date.now()}`;
  const line = { product: { _id: 'p1', name: 'Apples', desc: 'crisp', price: 140, banner: '/a.jpg', type: 'fruits' }, unit: 2 };
  const orderId = `${customerId}-1`;
  return {
    customerId,
    // What a purchase makes, in the order shopping and products announce it.
    events: [
      [ShoppingEvents.cartUpdated, { customerId, items: [line], version: 1 }],
      [ShoppingEvents.orderPlaced, { orderId, customerId, items: [line], amount: 280, status: 'received', txnNumber: 't1', createdAt: new Date().toISOString() }],
      [ShoppingEvents.cartUpdated, { customerId, items: [], version: 2 }],
      [StockEvents.stockReserved, { orderId, customerId }],
    ],
  };
}

async function deadLettered(): Promise<number> {
  const amqpConnection = await amqp.connect(testServers().amqpUrl);
  try {
    return (await (await amqpConnection.createChannel()).checkQueue(deadLetterQueueName(consumer.queue))).messageCount;
  } finally {
    await amqpConnection.close();
  }
}

const viewWrites = (customerId: string): number => consumer.commands.count('update', 'customer_views', customerId);
const viewChanges = (customerId: string): number => consumer.commands.changes('customer_views', customerId);
const viewReads = (customerId: string): number => consumer.commands.count('find', 'customer_views', customerId);

describe('customer view: events applied in batches', () => {
  test("When one customer's cart, order and stock events come together, then the view is read once and written once, and shows them all", async () => {
    const { customerId, events } = aShopper();
    await consumer.inOneBatch(async () => {
      for (const [type, data] of events) await consumer.probe.publish(type, data);
    });
    await eventually(async () => expect((await views.find(customerId)).orders[0]?.status).toBe('confirmed'));
    const view = await views.find(customerId);
    expect(view.cart).toEqual([]);
    expect(view.cartVersion).toBe(2);
    expect(view.orders).toHaveLength(1);
    expect(viewReads(customerId)).toBe(1);
    expect(viewWrites(customerId)).toBe(1);
  });

  test('When the same events come again, then the view is not written and stays as it was', async () => {
    const { customerId, events } = aShopper();
    const published: EventEnvelope[] = [];
    await consumer.inOneBatch(async () => {
      for (const [type, data] of events) published.push(await consumer.probe.publish(type, data));
    });
    await eventually(async () => expect((await views.find(customerId)).orders[0]?.status).toBe('confirmed'));
    const before = await views.find(customerId);
    const changes = viewChanges(customerId);
    expect(changes).toBeGreaterThan(0);

    // Redelivered one by one, then all together (as after a crash before the acks).
    for (const event of published) await consumer.probe.publish(event.type, event.data, { id: event.id });
    await consumer.drained();
    await consumer.inOneBatch(async () => {
      for (const event of published) await consumer.probe.publish(event.type, event.data, { id: event.id });
    });
    await consumer.drained();
    // `version` counts the view's writes; a cart that comes alone still sends its guarded upsert
    // (and its retry as an update), which write nothing to a view with that cart.
    expect(await views.find(customerId)).toEqual(before);
    expect(viewChanges(customerId)).toBe(changes);
  });

  test("When a customer's cart changes alone, then a stored view is written once in place and not read", async () => {
    const { customerId, events } = aShopper();
    await consumer.probe.publish(...events[0]!);
    await eventually(async () => expect((await views.find(customerId)).cartVersion).toBe(1));
    const [reads, writes] = [viewReads(customerId), viewWrites(customerId)];
    const [, emptied] = events[2]! as [string, { items: unknown[]; version: number }];
    await consumer.probe.publish(ShoppingEvents.cartUpdated, emptied);
    await eventually(async () => expect((await views.find(customerId)).cartVersion).toBe(2));
    expect(await views.find(customerId)).toMatchObject({ cart: [], orders: [], version: 2 });
    expect(viewReads(customerId)).toBe(reads);
    expect(viewWrites(customerId)).toBe(writes + 1);
  });

  test("When a shopper's first cart event comes alone, then the view is created in one write, with its empty defaults, and not read", async () => {
    const { customerId, events } = aShopper();
    const [, cart] = events[0]! as [string, { items: unknown[] }];
    await consumer.probe.publish(...events[0]!);
    await eventually(async () => expect((await views.find(customerId)).cartVersion).toBe(1));
    expect(await views.find(customerId)).toEqual({ _id: customerId, cart: cart.items, cartVersion: 1, orders: [], version: 1 });
    expect(viewReads(customerId)).toBe(0);
    expect(viewWrites(customerId)).toBe(1);
  });

  test("When several customers' events come interleaved in one batch, then each view gets its own events, written once", async () => {
    const shoppers = [aShopper(), aShopper(), aShopper()];
    await consumer.inOneBatch(async () => {
      for (let i = 0; i < 4; i++) for (const { events } of shoppers) await consumer.probe.publish(...events[i]!);
    });
    for (const { customerId } of shoppers) {
      await eventually(async () => expect((await views.find(customerId)).orders).toEqual([expect.objectContaining({ orderId: `${customerId}-1`, status: 'confirmed' })]));
      expect((await views.find(customerId)).cartVersion).toBe(2);
      expect(viewWrites(customerId)).toBe(1);
    }
  });

  test('When an order is cancelled, then the view shows it cancelling, then cancelled once its stock is back, and a late confirmation changes nothing', async () => {
    const { customerId, events } = aShopper();
    const orderId = `${customerId}-1`;
    const line = { product: { _id: 'p1', name: 'Apples', desc: 'crisp', price: 140, banner: '/a.jpg', type: 'fruits' }, unit: 2 };
    for (const [type, data] of events.slice(0, 3)) await consumer.probe.publish(type, data);
    await consumer.probe.publish(ShoppingEvents.orderCancelled, { orderId, customerId, items: [line] });
    await eventually(async () => expect((await views.find(customerId)).orders[0]?.status).toBe('cancelling'));
    // The confirmation that the cancel overtook.
    await consumer.probe.publish(...events[3]!);
    await consumer.drained();
    expect((await views.find(customerId)).orders[0]?.status).toBe('cancelling');
    await consumer.probe.publish(StockEvents.stockReleased, { orderId, customerId });
    await eventually(async () => expect((await views.find(customerId)).orders[0]?.status).toBe('cancelled'));
  });

  test("When a stock decision names an order the view never got, then the customer's other events are applied and that one is dead-lettered", async () => {
    const { customerId, events } = aShopper();
    await consumer.inOneBatch(async () => {
      await consumer.probe.publish(...events[0]!);
      await consumer.probe.publish(StockEvents.stockRejected, { orderId: 'no-such-order', customerId, reason: 'out of stock' });
      await consumer.probe.publish(...events[1]!);
    });
    await eventually(async () => expect((await views.find(customerId)).orders).toHaveLength(1));
    expect((await views.find(customerId)).cart).toHaveLength(1);
    await eventually(async () => expect(await deadLettered()).toBe(1));
  });
});

describe('customer view: two instances of the consumer', () => {
  // Retries as the service has them: a status event that overtakes its order comes again until the order is there.
  let shared: TestConsumer;
  let second: ConsumerInstance;

  beforeAll(async () => {
    const handlers = (connection: Connection) => customerEventHandlers({ views: new CustomerViewRepository(connection), catalogue: new CatalogueReplica(connection) });
    shared = await startTestConsumer('customerviewtwo', handlers, { maxAttempts: 10, retryDelayMs: 10 });
    second = await shared.startInstance();
  });

  afterAll(async () => {
    await second?.stop();
    await shared?.stop();
  });

  /** Two orders, one rejected and one confirmed then cancelled, with the cart moving around them. */
  function aLongerStory(): { customerId: string; events: Array<[string, object]> } {
    const customerId = `customer-${++customers}-${Date.now()}`;
    const line = { product: { _id: 'p1', name: 'Apples', desc: 'crisp', price: 140, banner: '/a.jpg', type: 'fruits' }, unit: 2 };
    const placed = (n: number) => ({
      orderId: `${customerId}-${n}`,
      customerId,
      items: [line],
      amount: 280,
      status: 'received',
      txnNumber: `t${n}`,
      createdAt: new Date(Date.UTC(2024, 0, n)).toISOString(),
    });
    const order = (n: number) => ({ orderId: `${customerId}-${n}`, customerId });
    return {
      customerId,
      events: [
        [ShoppingEvents.cartUpdated, { customerId, items: [line], version: 1 }],
        [ShoppingEvents.orderPlaced, placed(1)],
        [ShoppingEvents.cartUpdated, { customerId, items: [], version: 2 }],
        [StockEvents.stockReserved, order(1)],
        [ShoppingEvents.cartUpdated, { customerId, items: [line], version: 3 }],
        [ShoppingEvents.orderPlaced, placed(2)],
        [ShoppingEvents.cartUpdated, { customerId, items: [], version: 4 }],
        [StockEvents.stockRejected, { ...order(2), reason: 'out of stock' }],
        [ShoppingEvents.orderCancelled, { ...order(1), items: [line] }],
        [StockEvents.stockReleased, order(1)],
      ],
    };
  }

  /** The view without what names its customer, orders sorted: what two customers' views share. */
  async function viewOf(customerId: string): Promise<object> {
    const { _id, version: _version, ...view } = await new CustomerViewRepository(shared.reads).find(customerId);
    const orders = [...view.orders]
      .sort((a, b) => a.orderId.localeCompare(b.orderId))
      .map(({ _id: _order, orderId, ...order }) => ({ ...order, orderId: orderId.slice(_id.length) }));
    return { ...view, orders };
  }

  test("When two instances consume one queue and customers' events come in shuffled orders, then both apply events and every view is the one the events give in order", async () => {
    const inOrder = aLongerStory();
    for (const [type, data] of inOrder.events) await shared.probe.publish(type, data);
    // Two consumers apply even these in any order: wait for the last cart and both statuses.
    await eventually(async () =>
      expect(await viewOf(inOrder.customerId)).toMatchObject({ cart: [], cartVersion: 4, orders: [{ status: 'cancelled' }, { status: 'rejected', reason: 'out of stock' }] }),
    );
    const expected = await viewOf(inOrder.customerId);

    const shoppers = Array.from({ length: 8 }, aLongerStory);
    for (const [type, data] of shuffled(shoppers.flatMap(({ events }) => events))) await shared.probe.publish(type, data);
    for (const { customerId } of shoppers) await eventually(async () => expect(await viewOf(customerId)).toEqual(expected), 20_000);
    expect(shared.commands.count('update', 'customer_views')).toBeGreaterThan(0);
    expect(second.commands.count('update', 'customer_views')).toBeGreaterThan(0);
  }, 60_000);
});
