import { createLogger } from '../logging/logger';
import { shopMetrics } from '../metrics/metrics';
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

  test('When command counting is on, then each command is counted by database, collection and command, and the handshakes are not', async () => {
    const dbName = uniqueTestName('counting');
    const counted = async (): Promise<Record<string, number>> =>
      Object.fromEntries(
        (await shopMetrics().dbCommands.get()).values
          .filter(({ labels }) => labels.database === dbName)
          .map(({ labels, value }) => [`${labels.collection} ${labels.command}`, value]),
      );
    const connection = await connectDatabase({ url: testServers().mongoUrl, dbName, logger: createLogger({ service: 'test', silent: true }), countCommands: true });
    try {
      const things = connection.collection('things');
      await things.insertOne({ name: 'one' });
      await things.findOne({ name: 'one' });
      await things.updateOne({ name: 'one' }, { $set: { seen: true } });
      await things.findOne({ name: 'one' });
      expect(await counted()).toEqual({ 'things insert': 1, 'things find': 2, 'things update': 1 });
    } finally {
      await connection.close();
    }
  });

  test('When command counting is off, then nothing is counted', async () => {
    const dbName = uniqueTestName('not-counting');
    const connection = await connectDatabase({ url: testServers().mongoUrl, dbName, logger: createLogger({ service: 'test', silent: true }) });
    try {
      await connection.collection('things').insertOne({ name: 'one' });
      const values = (await shopMetrics().dbCommands.get()).values.filter(({ labels }) => labels.database === dbName);
      expect(values).toEqual([]);
    } finally {
      await connection.close();
    }
  });
});
