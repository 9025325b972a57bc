import { createLogger } from '../logging/logger';
import { testServers, uniqueTestName } from '../testing';
import { connectDatabase } from './mongo';

describe('the database connection', () => {
  test('When the service closes its connection, then no warning says the database disconnected', async () => {
    const logger = createLogger({ service: 'test', silent: true });
    const warn = jest.spyOn(logger, 'warn');
    const connection = await connectDatabase({ url: testServers().mongoUrl, dbName: uniqueTestName('closing'), logger });
    await connection.close();
    expect(connection.readyState).toBe(0);
    expect(warn).not.toHaveBeenCalled();
  });
});
