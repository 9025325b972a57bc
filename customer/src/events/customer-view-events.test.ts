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
const viewReads = (customerId: string): number => consumer.commands.count('find', 'customer_views', customerId);
const orderCommands = (orderId: string): Record<'insert' | 'update' | 'find', number> => ({
  insert: consumer.commands.count('insert', 'customer_orders', orderId),
  update: consumer.commands.count('update', 'customer_orders', orderId),
  find: consumer.commands.count('find', 'customer_orders', orderId),
});
const changes = (customerId: string, orderId: string): number => consumer.commands.changes('customer_views', customerId) + consumer.commands.changes('customer_orders', orderId);
const statusOf = async (customerId: string): Promise<string | undefined> => (await views.listOrders(customerId))[0]?.status;

describe('customer view: events applied in batches', () => {
  test("When one customer's cart, order and stock events come together, then the cart is written once and the order inserted once, confirmed, with nothing read", async () => {
    const { customerId, events } = aShopper();
    await consumer.inOneBatch(async () => {
      for (const [type, data] of events) await consumer.probe.publish(type, data);
    });
    await eventually(async () => expect(await statusOf(customerId)).toBe('confirmed'));
    expect(await views.find(customerId)).toEqual({ _id: customerId, cart: [], cartVersion: 2 });
    expect(await views.listOrders(customerId)).toHaveLength(1);
    expect(viewReads(customerId)).toBe(0);
    expect(viewWrites(customerId)).toBe(1);
    expect(orderCommands(`${customerId}-1`)).toEqual({ insert: 1, update: 0, find: 0 });
  });

  test('When an order is placed and then confirmed in another batch, then the view takes one insert and one guarded update, and reads nothing', async () => {
    const { customerId, events } = aShopper();
    const orderId = `${customerId}-1`;
    await consumer.probe.publish(...events[1]!);
    await eventually(async () => expect(await statusOf(customerId)).toBe('received'));
    await consumer.probe.publish(...events[3]!);
    await eventually(async () => expect(await statusOf(customerId)).toBe('confirmed'));
    expect(orderCommands(orderId)).toEqual({ insert: 1, update: 1, find: 0 });
    expect(viewReads(customerId) + viewWrites(customerId)).toBe(0);
  });

  test('When the same events come again, then nothing is written and the view stays as it was', async () => {
    const { customerId, events } = aShopper();
    const orderId = `${customerId}-1`;
    const published: EventEnvelope[] = [];
    await consumer.inOneBatch(async () => {
      for (const [type, data] of events) published.push(await consumer.probe.publish(type, data));
    });
    await eventually(async () => expect(await statusOf(customerId)).toBe('confirmed'));
    const before = { view: await views.find(customerId), orders: await views.listOrders(customerId) };
    const written = changes(customerId, orderId);
    expect(written).toBeGreaterThan(0);

    // Redelivered one by one, then all together (as after a crash before the acks).
    for (const event of published) await consumer.probe.publish(event.type, event.data, { id: event.id });
    await consumer.drained();
    await consumer.inOneBatch(async () => {
      for (const event of published) await consumer.probe.publish(event.type, event.data, { id: event.id });
    });
    await consumer.drained();
    // The stored order is not inserted again; its verdict's guarded update misses, and one read
    // tells that the order has moved on (rather than not being there yet).
    expect({ view: await views.find(customerId), orders: await views.listOrders(customerId) }).toEqual(before);
    expect(changes(customerId, orderId)).toBe(written);
    expect(orderCommands(orderId).find).toBeGreaterThan(0);
  });

  test("When a customer's cart changes alone, then a stored view is written once in place and not read", async () => {
    const { customerId, events } = aShopper();
    await consumer.probe.publish(...events[0]!);
    await eventually(async () => expect((await views.find(customerId)).cartVersion).toBe(1));
    const [reads, writes] = [viewReads(customerId), viewWrites(customerId)];
    const [, emptied] = events[2]! as [string, { items: unknown[]; version: number }];
    await consumer.probe.publish(ShoppingEvents.cartUpdated, emptied);
    await eventually(async () => expect((await views.find(customerId)).cartVersion).toBe(2));
    expect(await views.find(customerId)).toEqual({ _id: customerId, cart: [], cartVersion: 2 });
    expect(viewReads(customerId)).toBe(reads);
    expect(viewWrites(customerId)).toBe(writes + 1);
  });

  test("When a shopper's first cart event comes alone, then the view is created in one write and not read", async () => {
    const { customerId, events } = aShopper();
    const [, cart] = events[0]! as [string, { items: unknown[] }];
    await consumer.probe.publish(...events[0]!);
    await eventually(async () => expect((await views.find(customerId)).cartVersion).toBe(1));
    expect(await views.find(customerId)).toEqual({ _id: customerId, cart: cart.items, cartVersion: 1 });
    expect(viewReads(customerId)).toBe(0);
    expect(viewWrites(customerId)).toBe(1);
  });

  test("When several customers' events come interleaved in one batch, then each gets its own events: its cart written once, its order inserted once", async () => {
    const shoppers = [aShopper(), aShopper(), aShopper()];
    await consumer.inOneBatch(async () => {
      for (let i = 0; i < 4; i++) for (const { events } of shoppers) await consumer.probe.publish(...events[i]!);
    });
    for (const { customerId } of shoppers) {
      await eventually(async () => expect(await views.listOrders(customerId)).toEqual([expect.objectContaining({ _id: `${customerId}-1`, customerId, status: 'confirmed' })]));
      // The batch writes the orders and the carts side by side: either may land first.
      await eventually(async () => expect((await views.find(customerId)).cartVersion).toBe(2));
      expect(viewWrites(customerId)).toBe(1);
      expect(orderCommands(`${customerId}-1`)).toEqual({ insert: 1, update: 0, find: 0 });
    }
  });

  test('When an order is cancelled, then the view shows it cancelling, then cancelled once its stock is back, and a late confirmation changes nothing', async () => {
    const { customerId, events } = aShopper();
    const orderId = `${customerId}-1`;
    const line = { product: { _id: 'p1', name: 'Apples', desc: 'crisp', price: 140, banner: '/a.jpg', type: 'fruits' }, unit: 2 };
    for (const [type, data] of events.slice(0, 3)) await consumer.probe.publish(type, data);
    await consumer.probe.publish(ShoppingEvents.orderCancelled, { orderId, customerId, items: [line] });
    await eventually(async () => expect(await statusOf(customerId)).toBe('cancelling'));
    // The confirmation that the cancel overtook.
    await consumer.probe.publish(...events[3]!);
    await consumer.drained();
    expect(await statusOf(customerId)).toBe('cancelling');
    await consumer.probe.publish(StockEvents.stockReleased, { orderId, customerId });
    await eventually(async () => expect(await statusOf(customerId)).toBe('cancelled'));
  });

  test("When a stock decision names an order the view never got, then the customer's other events are applied and that one is dead-lettered", async () => {
    const { customerId, events } = aShopper();
    await consumer.inOneBatch(async () => {
      await consumer.probe.publish(...events[0]!);
      await consumer.probe.publish(StockEvents.stockRejected, { orderId: 'no-such-order', customerId, reason: 'out of stock' });
      await consumer.probe.publish(...events[1]!);
    });
    await eventually(async () => expect(await views.listOrders(customerId)).toHaveLength(1));
    expect((await views.find(customerId)).cart).toHaveLength(1);
    await eventually(async () => expect(await deadLettered()).toBe(1));
  });

  test("When a stock decision names another customer's order, then that order does not move and the event is dead-lettered", async () => {
    const owner = aShopper();
    const other = aShopper();
    const orderId = `${owner.customerId}-1`;
    await consumer.probe.publish(...owner.events[1]!);
    await eventually(async () => expect(await statusOf(owner.customerId)).toBe('received'));
    const deadBefore = await deadLettered();
    await consumer.probe.publish(StockEvents.stockRejected, { orderId, customerId: other.customerId, reason: 'out of stock' });
    await eventually(async () => expect(await deadLettered()).toBe(deadBefore + 1));
    expect(await statusOf(owner.customerId)).toBe('received');
    expect(await views.listOrders(other.customerId)).toEqual([]);
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
    const sharedViews = new CustomerViewRepository(shared.reads);
    const { _id, ...view } = await sharedViews.find(customerId);
    const orders = (await sharedViews.listOrders(customerId))
      .sort((a, b) => a._id.localeCompare(b._id))
      .map(({ _id: orderId, customerId: _customer, ...order }) => ({ ...order, orderId: orderId.slice(_id.length) }));
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
    const writes = (instance: Pick<TestConsumer, 'commands'>): number =>
      instance.commands.count('update', 'customer_views') + instance.commands.count('insert', 'customer_orders') + instance.commands.count('update', 'customer_orders');
    expect(writes(shared)).toBeGreaterThan(0);
    expect(writes(second)).toBeGreaterThan(0);
  }, 60_000);
});
