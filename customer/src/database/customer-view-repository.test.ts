import mongoose, { type Connection } from 'mongoose';
import type { Line } from '@shop/common';
import { testServers, uniqueTestName } from '@shop/common/testing';
import { CustomerViewRepository } from './customer-view-repository';

// The in-place cart write against the real database: its version guard, and two writers meeting
// on a view that neither found stored.
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
    expect(await views.find(customerId)).toEqual({ _id: customerId, cart: cartOf(2), cartVersion: 2, orders: [], version: 1 });
  });

  test('When carts of one new view are written at once, then every write resolves and the newest cart is stored', async () => {
    const customerIds = Array.from({ length: 10 }, aCustomer);
    await Promise.all(customerIds.flatMap((customerId) => [1, 2, 3].map((version) => views.setCartIfNewer(customerId, cartOf(version), version))));
    for (const customerId of customerIds) expect(await views.find(customerId)).toMatchObject({ cart: cartOf(3), cartVersion: 3, orders: [] });
  });
});
