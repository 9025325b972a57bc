import mongoose, { type Connection } from 'mongoose';
import { testServers, uniqueTestName } from '@shop/common/testing';
import { CustomerRepository } from '../../database/customer-repository';
import { ensureAdmin } from './ensure-admin';

let connection: Connection;
let customers: CustomerRepository;

beforeAll(async () => {
  connection = await mongoose.createConnection(testServers().mongoUrl, { dbName: uniqueTestName('ensureadmin') }).asPromise();
  customers = new CustomerRepository(connection);
  await connection.syncIndexes();
});

afterAll(async () => {
  await connection?.dropDatabase();
  await connection?.close();
});

describe('the admin account at start', () => {
  test('When two instances start at once, then one creates the admin, the other finds it made, and neither fails', async () => {
    const context = { customers, bcryptCost: 4 };
    const created = await Promise.all([ensureAdmin(context, 'admin@race.test', 'admin-password'), ensureAdmin(context, 'Admin@Race.test', 'admin-password')]);
    expect(created.filter(Boolean)).toHaveLength(1);
    expect(await connection.collection('customers').countDocuments({ email: 'admin@race.test' })).toBe(1);
    expect(await customers.findByEmail('admin@race.test')).toMatchObject({ role: 'admin' });
  });
});
