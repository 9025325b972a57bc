import { createLogger } from '../logging/logger';
import { shopMetrics } from '../metrics/metrics';
import { tcpHop, testServers, uniqueTestName } from '../../testing';
import { isDatabaseUnavailable } from './errors';
import { connectDatabase, insertEachOnce } from './mongo';
import { Schema } from 'mongoose';

describe('the database connection', () => {
  test('When the server goes silent without closing the connection, then a command fails as the database being unavailable instead of waiting forever', async () => {
    const hop = await tcpHop(new URL(testServers().mongoUrl));
    const logger = createLogger({ service: 'test', silent: true });
    const connection = await connectDatabase({ url: hop.url, dbName: uniqueTestName('silent'), logger, socketTimeoutMS: 500, connectTimeoutMS: 500 });
    try {
      const things = connection.collection('things');
      await things.insertOne({ name: 'one' });
      hop.freeze();
      const failure = await things.findOne({ name: 'one' }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(isDatabaseUnavailable(failure)).toBe(true);
    } finally {
      await connection.close();
      await hop.close();
    }
  });

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

  test('When documents are inserted together and some ids exist, then the others are stored and only those report false', async () => {
    const connection = await connectDatabase({ url: testServers().mongoUrl, dbName: uniqueTestName('insert-each'), logger: createLogger({ service: 'test', silent: true }) });
    try {
      const model = connection.model<{ _id: string; n: number }>('Thing', new Schema({ _id: String, n: Number }, { versionKey: false }));
      await model.collection.insertOne({ _id: 'b', n: 0 } as never);
      const stored = await insertEachOnce(model, [
        { _id: 'a', n: 1 },
        { _id: 'b', n: 2 },
        { _id: 'c', n: 3 },
        { _id: 'c', n: 4 },
      ]);
      expect(stored).toEqual([true, false, true, false]);
      expect(await model.find().sort({ _id: 1 }).lean()).toEqual([
        { _id: 'a', n: 1 },
        { _id: 'b', n: 0 },
        { _id: 'c', n: 3 },
      ]);
    } finally {
      await connection.close();
    }
  });
});
