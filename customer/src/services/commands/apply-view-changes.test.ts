import mongoose, { type Connection } from 'mongoose';
import type { Line } from '@shop/common';
import { testServers, uniqueTestName } from '@shop/common/testing';
import { CustomerViewRepository } from '../../database/customer-view-repository';
import type { CustomerOrder, StatusMove } from '../../domain/customer-view';
import { applyViewChanges } from './apply-view-changes';

// Another instance inserting the order between a status move's missed update and its read.
let connection: Connection;

beforeAll(async () => {
  connection = await mongoose.createConnection(testServers().mongoUrl, { dbName: uniqueTestName('applyviewchanges') }).asPromise();
  await connection.syncIndexes();
});

afterAll(async () => {
  await connection?.dropDatabase();
  await connection?.close();
});

const line: Line = { product: { _id: 'p1', name: 'Apples', desc: 'crisp', price: 140, banner: '/a.jpg', type: 'fruits' }, unit: 2 };
const received = (orderId: string, customerId: string): CustomerOrder => ({
  _id: orderId,
  customerId,
  amount: 280,
  status: 'received',
  items: [line],
  txnNumber: null,
  date: new Date(),
});

/** Inserts the order right after the first move of it missed, as a second instance applying its order.placed would. */
class OrderPlacedMeanwhile extends CustomerViewRepository {
  constructor(private readonly order: CustomerOrder) {
    super(connection);
  }

  override async moveOrderStatus(customerId: string, move: StatusMove): Promise<boolean> {
    const moved = await super.moveOrderStatus(customerId, move);
    if (!moved && (await this.insertOrders([this.order]))[0]) return false;
    return moved;
  }
}

describe('applyViewChanges: a status move racing its order', () => {
  test('When the order is inserted between the missed move and the read, then the move is tried again and applies', async () => {
    const views = new OrderPlacedMeanwhile(received('o1', 'c1'));
    await applyViewChanges(views, 'c1', [{ kind: 'stock-rejected', change: { orderId: 'o1', customerId: 'c1', reason: 'out of stock' } }]);
    expect(await views.findOrder('c1', 'o1')).toMatchObject({ status: 'rejected', reason: 'out of stock' });
  });

  test('When the order is not there, then applying fails, so that the consumer retries it', async () => {
    const views = new CustomerViewRepository(connection);
    await expect(applyViewChanges(views, 'c2', [{ kind: 'stock-reserved', change: { orderId: 'o2', customerId: 'c2' } }])).rejects.toThrow('not in the view yet');
  });
});
