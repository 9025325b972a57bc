import mongoose, { type Connection } from 'mongoose';
import { ORDER_STATUS_MOVES, StockEvents, type Line } from '@shop/common';
import type { CustomerOrder } from '../domain/customer-view';
import { testServers, uniqueTestName } from '@shop/common/testing';
import { CustomerViewRepository } from './customer-view-repository';

// The view's writes against the real database: the cart's version guard, two writers meeting on a
// view that neither found stored, orders inserted once and moved by their status guard.
let connection: Connection;
let views: CustomerViewRepository;

beforeAll(async () => {
  connection = await mongoose.createConnection(testServers().mongoUrl, { dbName: uniqueTestName('customerviewrepo') }).asPromise();
  views = new CustomerViewRepository(connection);
  await connection.syncIndexes();
});

afterAll(async () => {
  await connection?.dropDatabase();
  await connection?.close();
});

let customers = 0;
const aCustomer = (): string => `customer-${++customers}`;
const cartOf = (unit: number): Line[] => [{ product: { _id: 'p1', name: 'Apples', desc: 'crisp', price: 140, banner: '/a.jpg', type: 'fruits' }, unit }];

describe('CustomerViewRepository.setCartIfNewer', () => {
  test('When an older cart comes after a newer one, then it resolves and the newer cart stays', async () => {
    const customerId = aCustomer();
    await views.setCartIfNewer(customerId, cartOf(2), 2);
    await views.setCartIfNewer(customerId, cartOf(1), 1);
    await views.setCartIfNewer(customerId, cartOf(9), 2);
    expect(await views.find(customerId)).toEqual({ _id: customerId, cart: cartOf(2), cartVersion: 2 });
  });

  test('When carts of one new view are written at once, then every write resolves and the newest cart is stored', async () => {
    const customerIds = Array.from({ length: 10 }, aCustomer);
    await Promise.all(customerIds.flatMap((customerId) => [1, 2, 3].map((version) => views.setCartIfNewer(customerId, cartOf(version), version))));
    for (const customerId of customerIds) expect(await views.find(customerId)).toEqual({ _id: customerId, cart: cartOf(3), cartVersion: 3 });
  });
});

const orderOf = (customerId: string, orderId: string, date: string): CustomerOrder => ({
  _id: orderId,
  customerId,
  amount: 280,
  status: 'received',
  items: cartOf(2),
  txnNumber: null,
  date: new Date(date),
});

describe('CustomerViewRepository: orders', () => {
  test("When orders are inserted, some again, then each is stored once and a customer's list is newest first", async () => {
    const customerId = aCustomer();
    const [older, newer] = [orderOf(customerId, `${customerId}-1`, '2026-01-01T00:00:00Z'), orderOf(customerId, `${customerId}-2`, '2026-02-01T00:00:00Z')];
    expect(await views.insertOrders([older])).toEqual([true]);
    expect(await views.insertOrders([older, newer])).toEqual([false, true]);
    expect((await views.listOrders(customerId)).map((order) => order._id)).toEqual([newer._id, older._id]);
    expect(await views.listOrders(aCustomer())).toEqual([]);
  });

  test('When both stock verdicts move one order at once, then exactly one applies', async () => {
    const customerIds = Array.from({ length: 10 }, aCustomer);
    await views.insertOrders(customerIds.map((customerId) => orderOf(customerId, `${customerId}-1`, '2026-01-01T00:00:00Z')));
    const move = (orderId: string, event: typeof StockEvents.stockReserved | typeof StockEvents.stockRejected) => ({ orderId, ...ORDER_STATUS_MOVES[event] });
    for (const customerId of customerIds) {
      const orderId = `${customerId}-1`;
      const moved = await Promise.all([
        views.moveOrderStatus(customerId, move(orderId, StockEvents.stockReserved)),
        views.moveOrderStatus(customerId, move(orderId, StockEvents.stockRejected)),
      ]);
      expect(moved.filter(Boolean)).toHaveLength(1);
      expect((await views.findOrder(customerId, orderId))!.status).toBe(moved[0] ? 'confirmed' : 'rejected');
    }
  });

  test("When a move names another customer's order, then it does not apply", async () => {
    const [owner, other] = [aCustomer(), aCustomer()];
    await views.insertOrders([orderOf(owner, `${owner}-1`, '2026-01-01T00:00:00Z')]);
    expect(await views.moveOrderStatus(other, { orderId: `${owner}-1`, ...ORDER_STATUS_MOVES[StockEvents.stockReserved] })).toBe(false);
    expect(await views.findOrder(other, `${owner}-1`)).toBeNull();
    expect((await views.findOrder(owner, `${owner}-1`))!.status).toBe('received');
  });
});

describe('CustomerViewRepository.moveEmbeddedOrders', () => {
  test('When views of the earlier release keep their orders embedded, then they move to customer_orders once, and the views keep their carts', async () => {
    const [withOrders, withoutOrders] = [aCustomer(), aCustomer()];
    const embedded = (orderId: string, date: string, status: string) => ({ _id: orderId, orderId, amount: 280, status, items: cartOf(2), txnNumber: null, date: new Date(date) });
    await connection.collection<{ _id: string; [field: string]: unknown }>('customer_views').insertMany([
      {
        _id: withOrders,
        cart: cartOf(1),
        cartVersion: 3,
        version: 7,
        orders: [embedded(`${withOrders}-2`, '2026-02-01T00:00:00Z', 'confirmed'), embedded(`${withOrders}-1`, '2026-01-01T00:00:00Z', 'rejected')],
      },
      { _id: withoutOrders, cart: [], cartVersion: 1, version: 1, orders: [] },
    ]);

    expect(await views.moveEmbeddedOrders()).toBe(2);

    expect(await views.listOrders(withOrders)).toEqual([
      { _id: `${withOrders}-2`, customerId: withOrders, amount: 280, status: 'confirmed', items: cartOf(2), txnNumber: null, date: new Date('2026-02-01T00:00:00Z') },
      { _id: `${withOrders}-1`, customerId: withOrders, amount: 280, status: 'rejected', items: cartOf(2), txnNumber: null, date: new Date('2026-01-01T00:00:00Z') },
    ]);
    expect(await views.find(withOrders)).toEqual({ _id: withOrders, cart: cartOf(1), cartVersion: 3 });
    expect(await views.find(withoutOrders)).toEqual({ _id: withoutOrders, cart: [], cartVersion: 1 });
    // Done once per database: a later start reads only the ledger.
    expect(await views.moveEmbeddedOrders()).toBe(0);
  });
});
