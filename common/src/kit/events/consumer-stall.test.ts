import type { Connection } from 'mongoose';
import { Broker } from '../broker/broker';
import { connectDatabase } from '../database/mongo';
import { createLogger } from '../logging/logger';
import { eventually, EventProbe, testServers, uniqueTestName } from '../../testing';
import { groupedHandler, startEventConsumer } from './consumer';
import type { EventEnvelope } from './envelope';

const logger = createLogger({ service: 'test', silent: true });
let connection: Connection;
let broker: Broker;
let probe: EventProbe;

beforeAll(async () => {
  const { mongoUrl, amqpUrl } = testServers();
  const name = uniqueTestName('consumer-stall');
  connection = await connectDatabase({ url: mongoUrl, dbName: name, logger });
  broker = new Broker({ url: amqpUrl, exchange: `${name}.events`, logger, name: 'test' });
  await broker.start();
  probe = await new EventProbe(amqpUrl, `${name}.events`).start();
});

afterAll(async () => {
  await broker.close();
  await probe.stop();
  await connection.close();
});

/** What a driver call on a connection that the database dropped without an error can do. */
const never = (): Promise<void> => new Promise(() => undefined);

describe('the consumer when an apply never settles', () => {
  test('When a handler never settles, then its event goes back to the queue after the apply timeout and it and the events behind it are applied', async () => {
    const applied: number[] = [];
    let calls = 0;
    await startEventConsumer({
      broker,
      connection,
      logger,
      queue: uniqueTestName('queue'),
      applyTimeoutMs: 300,
      handlers: {
        'stall.test': async (event: EventEnvelope<{ n: number }>) => {
          if (++calls === 1) return never();
          applied.push(event.data.n);
        },
      },
    });
    await probe.publish('stall.test', { n: 1 });
    await probe.publish('stall.test', { n: 2 });
    await eventually(() => expect(applied).toEqual([1, 2]), 10_000);
  });

  test("When a group's apply never settles, then its events go back to the queue and are applied when they come again", async () => {
    const applied: number[] = [];
    let calls = 0;
    const group = groupedHandler({
      key: () => 'one-document',
      apply: async (events) => {
        if (++calls === 1) return never();
        applied.push(...events.map((event) => (event.data as { n: number }).n));
      },
    });
    await startEventConsumer({ broker, connection, logger, queue: uniqueTestName('queue'), applyTimeoutMs: 300, handlers: { 'stall.group': group } });
    await probe.publish('stall.group', { n: 1 });
    await eventually(() => expect(applied).toEqual([1]), 10_000);
    await probe.publish('stall.group', { n: 2 });
    await eventually(() => expect(applied).toEqual([1, 2]), 10_000);
  });
});
