import amqp from 'amqplib';
import type mongoose from 'mongoose';
import { type Connection } from 'mongoose';
import { Broker, deadLetterQueueName } from '../broker/broker';
import { connectDatabase } from '../database/mongo';
import { createLogger } from '../logging/logger';
import { eventually, EventProbe, testServers, uniqueTestName } from '../testing';
import { idempotentHandler, startEventConsumer, type EventHandlers } from './consumer';
import { createEvent, type EventEnvelope } from './envelope';
import { Outbox } from './outbox';
import { shopMetrics } from '../metrics/metrics';

const logger = createLogger({ service: 'test', silent: true });
let connection: Connection;
let broker: Broker;
let probe: EventProbe;
let exchange: string;

beforeAll(async () => {
  const { mongoUrl, amqpUrl } = testServers();
  const name = uniqueTestName('events');
  exchange = `${name}.events`;
  connection = await connectDatabase({ url: mongoUrl, dbName: name, logger });
  broker = new Broker({ url: amqpUrl, exchange, logger, name: 'test' });
  await broker.start();
  probe = await new EventProbe(amqpUrl, exchange).start();
});

afterAll(async () => {
  await broker.close();
  await probe.stop();
  await connection.close();
});

async function deadLetters(queue: string): Promise<string[]> {
  const conn = await amqp.connect(testServers().amqpUrl);
  const channel = await conn.createChannel();
  const bodies: string[] = [];
  for (let message = await channel.get(deadLetterQueueName(queue)); message; message = await channel.get(deadLetterQueueName(queue))) {
    bodies.push(message.content.toString());
    channel.ack(message);
  }
  await conn.close();
  return bodies;
}

describe('the outbox', () => {
  test('When events are added, then they are published in order with confirms and the outbox empties', async () => {
    const outbox = new Outbox({ connection, broker, logger });
    const events = Array.from({ length: 5 }, (_, i) => createEvent({ type: 'thing.happened', data: { n: i }, source: 'test' }));
    await outbox.add(...events);
    await outbox.flush();
    expect(await outbox.backlog()).toBe(0);
    await eventually(() => expect(probe.received.filter((e) => e.type === 'thing.happened').map((e) => e.data.n)).toEqual([0, 1, 2, 3, 4]));
  });

  test('When the same event id is added twice, then it is stored and published once', async () => {
    const outbox = new Outbox({ connection, broker, logger });
    const event = createEvent({ type: 'thing.once', id: 'fixed-id-1', data: {}, source: 'test' });
    await outbox.add(event, event);
    await outbox.flush();
    await eventually(() => expect(probe.received.filter((e) => e.id === 'fixed-id-1')).toHaveLength(1));
  });

  test('When the broker is not connected, then events wait in the outbox until it is', async () => {
    const offline = new Broker({ url: testServers().amqpUrl, exchange, logger, name: 'late' });
    const ownConnection = await connectDatabase({ url: testServers().mongoUrl, dbName: uniqueTestName('outbox'), logger });
    const outbox = new Outbox({ connection: ownConnection, broker: offline, logger });
    outbox.start();
    await outbox.add(createEvent({ type: 'thing.waited', data: {}, source: 'test' }));
    expect(await outbox.backlog()).toBe(1);
    await offline.start(); // connecting triggers the relay
    await eventually(async () => expect(await outbox.backlog()).toBe(0));
    await eventually(() => expect(probe.received.some((e) => e.type === 'thing.waited')).toBe(true));
    await outbox.stop();
    await offline.close();
    await ownConnection.close();
  });
});

describe('the consumer', () => {
  async function consume(handlers: EventHandlers, options: { maxAttempts?: number } = {}): Promise<string> {
    const queue = uniqueTestName('queue');
    await startEventConsumer({ broker, connection, logger, queue, handlers, retryDelayMs: 10, ...options });
    return queue;
  }

  test('When the same event is delivered twice, then the handler runs once', async () => {
    const seen: string[] = [];
    await consume({ 'dup.test': async (event) => void seen.push(event.id) });
    const event = await probe.publish('dup.test', { x: 1 });
    await probe.publish('dup.test', { x: 1 }, { id: event.id });
    const other = await probe.publish('dup.test', { x: 2 });
    await eventually(() => expect(seen).toEqual([event.id, other.id]));
    await new Promise((r) => setTimeout(r, 200));
    expect(seen).toEqual([event.id, other.id]);
  });

  test('When a message is not a valid envelope, then it is dead-lettered and the next one is handled', async () => {
    const seen: unknown[] = [];
    const queue = await consume({ 'poison.test': async (event) => void seen.push(event.data) });
    probe.publishRaw('poison.test', Buffer.from('{not json'));
    probe.publishRaw('poison.test', Buffer.from(JSON.stringify({ id: 'x', type: 'poison.test' })));
    await probe.publish('poison.test', { ok: true });
    await eventually(() => expect(seen).toEqual([{ ok: true }]));
    await eventually(async () => expect(await deadLetters(queue)).toHaveLength(2));
  });

  test('When a handler fails for a while, then it is retried until it succeeds', async () => {
    let calls = 0;
    await consume({ 'flaky.test': async () => {
      calls++;
      if (calls < 3) throw new Error('transient');
    } });
    await probe.publish('flaky.test', {});
    await eventually(() => expect(calls).toBe(3));
  });

  test('When a handler keeps failing, then after the attempts the event is dead-lettered and the consumer goes on', async () => {
    const handled: number[] = [];
    const queue = await consume({ 'broken.test': async (event: EventEnvelope<{ n: number }>) => {
      if (event.data.n === 1) throw new Error('always');
      handled.push(event.data.n);
    } }, { maxAttempts: 3 });
    await probe.publish('broken.test', { n: 1 });
    await probe.publish('broken.test', { n: 2 });
    await eventually(() => expect(handled).toEqual([2]));
    const dead = await eventually(async () => {
      const bodies = await deadLetters(queue);
      expect(bodies).toHaveLength(1);
      return bodies;
    });
    expect(JSON.parse(dead[0]!).data).toEqual({ n: 1 });
  });

  test('When events flow, then the metrics count them by type and outcome', async () => {
    const text = await shopMetrics().registry.metrics();
    expect(text).toMatch(/events_published_total\{type="thing.happened"\} [5-9]/);
    expect(text).toMatch(/events_consumed_total\{type="dup.test",outcome="duplicate"\} 1/);
    expect(text).toMatch(/events_consumed_total\{type="flaky.test",outcome="retried"\} 2/);
    expect(text).toMatch(/events_dead_lettered_total\{queue="queue_[0-9a-f]+"\} [1-9]/);
    expect(text).toMatch(/outbox_backlog \d+/);
  });

  test('When a handler is idempotent by itself, then no processed_events record is kept for it', async () => {
    const seen: string[] = [];
    await consume({ 'self.test': idempotentHandler(async (event) => void seen.push(event.id)) });
    const event = await probe.publish('self.test', {});
    await eventually(() => expect(seen).toEqual([event.id]));
    expect(await connection.collection('processed_events').countDocuments({ _id: event.id as never })).toBe(0);
  });

  test('When an event is applied, then it is recorded by id in processed_events', async () => {
    await consume({ 'record.test': async () => undefined });
    const event = await probe.publish('record.test', {});
    await eventually(async () => expect(await connection.collection('processed_events').findOne({ _id: event.id as unknown as mongoose.Types.ObjectId })).toMatchObject({ type: 'record.test' }));
  });
});
