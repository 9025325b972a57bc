import mongoose, { type Connection } from 'mongoose';
import { z } from 'zod';
import { Broker, RETRIES_HEADER } from '../broker/broker';
import { connectDatabase } from '../database/mongo';
import { createLogger } from '../logging/logger';
import { eventually, EventProbe, takeDeadLetterMessages, takeDeadLetters, tcpHop, testServers, uniqueTestName } from '../../testing';
import { groupedHandler, idempotentHandler, keyedHandler, startEventConsumer, type EventHandlers } from './consumer';
import { ConsumerHold, countCommands } from '../../testing/consumer-batches';
import { createEvent, eventEnvelopeSchema, type EventEnvelope } from './envelope';
import { Outbox, type OutboxOptions } from './outbox';
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

const deadLetterMessages = (queue: string) => takeDeadLetterMessages(testServers().amqpUrl, queue);
const deadLetters = (queue: string): Promise<string[]> => takeDeadLetters(testServers().amqpUrl, queue);

function expectDefined<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('not there yet');
  return value;
}

/** An outbox on a database of its own whose commands are counted; started, and done with what start found. */
async function countedOutbox(label: string, options: Partial<OutboxOptions> = {}) {
  const monitored = await mongoose.createConnection(testServers().mongoUrl, { dbName: uniqueTestName(label), monitorCommands: true }).asPromise();
  const commands = countCommands(monitored);
  const outbox = new Outbox({ connection: monitored, broker, logger, intervalMs: 60_000, ...options });
  outbox.start();
  await outbox.flush();
  const close = async (): Promise<void> => {
    await outbox.stop();
    await monitored.close();
  };
  return { outbox, commands, close };
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

  test('When a started outbox relays what it stored, then it reads the collection only at start, not per event', async () => {
    const { outbox, commands, close } = await countedOutbox('outbox-reads');
    const readsAtStart = commands.count('find', 'outbox');
    for (let n = 0; n < 5; n++) await outbox.add(createEvent({ type: 'thing.relayed', data: { n }, source: 'test' }));
    await eventually(() => expect(probe.received.filter((e) => e.type === 'thing.relayed').map((e) => e.data.n)).toEqual([0, 1, 2, 3, 4]));
    await eventually(async () => expect(await outbox.backlog()).toBe(0));
    expect(readsAtStart).toBeGreaterThan(0);
    expect(commands.count('find', 'outbox')).toBe(readsAtStart);
    await close();
  });

  test('When several events are added at once, one of them stored and relayed already, then one insert stores them all and they are relayed in the order given', async () => {
    const { outbox, commands, close } = await countedOutbox('outbox-inserts', { deleteAfterMs: 60_000 });
    const together = () => probe.received.filter((e) => e.type === 'thing.together').map((e) => e.data.n);
    const stored = createEvent({ type: 'thing.together', id: 'together-0', data: { n: 0 }, source: 'test' });
    await outbox.add(stored);
    await eventually(() => expect(together()).toEqual([0]));
    const events = [stored, ...Array.from({ length: 3 }, (_, i) => createEvent({ type: 'thing.together', data: { n: i + 1 }, source: 'test' }))];
    await outbox.add(...events);
    expect(commands.count('insert', 'outbox')).toBe(2);
    // Its record is still there (deleted later), so it is not stored twice; announced again, it goes again.
    await eventually(() => expect(together()).toEqual([0, 0, 1, 2, 3]));
    await close();
  });

  test('When events are relayed one after another, then their records are deleted together', async () => {
    const { outbox, commands, close } = await countedOutbox('outbox-deletes', { deleteAfterMs: 60_000 });
    for (let n = 0; n < 4; n++) {
      await outbox.add(createEvent({ type: 'thing.cleaned', data: { n }, source: 'test' }));
      await eventually(() => expect(probe.received.filter((e) => e.type === 'thing.cleaned')).toHaveLength(n + 1));
    }
    expect(commands.count('delete', 'outbox')).toBe(0);
    await outbox.flush();
    expect(await outbox.backlog()).toBe(0);
    expect(commands.count('delete', 'outbox')).toBe(1);
    await close();
  });

  test('When an event already relayed is added again, then it goes again, also before its record is deleted', async () => {
    const outbox = new Outbox({ connection, broker, logger, intervalMs: 60_000, deleteAfterMs: 60_000 });
    outbox.start();
    const event = createEvent({ type: 'thing.again', id: `again-${uniqueTestName('id')}`, data: {}, source: 'test' });
    await outbox.add(event);
    await eventually(() => expect(probe.received.filter((e) => e.id === event.id)).toHaveLength(1));
    await outbox.add(event);
    await eventually(() => expect(probe.received.filter((e) => e.id === event.id)).toHaveLength(2));
    await outbox.flush();
    expect(await outbox.backlog()).toBe(0);
    await outbox.stop();
  });

  test('When an event without a correlation id is relayed from the collection, then the message is the one a relay from memory sends', async () => {
    const event = createEvent({ type: 'thing.stored', data: { n: 1, reason: undefined, nested: { note: undefined } }, source: 'test' });
    const { outbox: fromMemory, close } = await countedOutbox('outbox-memory');
    await fromMemory.add(event);
    const sent = await eventually(() => expectDefined(probe.bodiesOf(event.id).at(0)));
    await close();

    // Stored by a process without a broker, relayed by the next one from the collection.
    const name = uniqueTestName('outbox-stored');
    const writer = await connectDatabase({ url: testServers().mongoUrl, dbName: name, logger });
    await new Outbox({ connection: writer, broker: new Broker({ url: testServers().amqpUrl, exchange, logger, name: 'never-connected' }), logger }).add(event);
    const fromCollection = new Outbox({ connection: writer, broker, logger, intervalMs: 60_000 });
    fromCollection.start();
    const relayed = await eventually(() => expectDefined(probe.bodiesOf(event.id).at(1)));

    expect(relayed).toBe(sent);
    expect(relayed).toBe(JSON.stringify(event));
    expect(eventEnvelopeSchema.safeParse(JSON.parse(relayed)).success).toBe(true);
    await fromCollection.stop();
    await writer.close();
  });

  test('When a record stored with the envelope as a document is relayed, then its absent correlation id is not sent as null', async () => {
    const event = createEvent({ type: 'thing.older', data: { n: 1 }, source: 'test' });
    const older = await connectDatabase({ url: testServers().mongoUrl, dbName: uniqueTestName('outbox-older'), logger });
    // As such records were written: the driver stores the undefined correlationId as null.
    await older.collection('outbox').insertOne({ _id: event.id as never, seq: 1, envelope: event, createdAt: new Date() });
    const outbox = new Outbox({ connection: older, broker, logger, intervalMs: 60_000 });
    outbox.start();
    await eventually(() => expect(probe.bodiesOf(event.id)).toEqual([JSON.stringify(event)]));
    await outbox.flush();
    expect(await outbox.backlog()).toBe(0);
    await outbox.stop();
    await older.close();
  });

  test('When events without a correlation id were stored while the broker was away, then after it returns every one is applied and none is dead-lettered', async () => {
    const applied: Array<{ n: number; reason?: string }> = [];
    const queue = uniqueTestName('queue');
    const itemSchema = z.object({ n: z.number(), reason: z.string().optional() });
    await startEventConsumer({ broker, connection, logger, queue, retryDelayMs: 10, handlers: { 'thing.late': async (event) => void applied.push(itemSchema.parse(event.data)) } });
    const away = new Broker({ url: testServers().amqpUrl, exchange, logger, name: 'away' });
    const own = await connectDatabase({ url: testServers().mongoUrl, dbName: uniqueTestName('outbox-away'), logger });
    const outbox = new Outbox({ connection: own, broker: away, logger, intervalMs: 60_000 });
    outbox.start();
    for (let n = 0; n < 3; n++) await outbox.add(createEvent({ type: 'thing.late', data: { n, reason: n === 1 ? 'why' : undefined }, source: 'test' }));
    expect(await outbox.backlog()).toBe(3);

    await away.start();
    await eventually(() => expect(applied).toEqual([{ n: 0 }, { n: 1, reason: 'why' }, { n: 2 }]));
    await outbox.flush();
    expect(await deadLetters(queue)).toEqual([]);
    await outbox.stop();
    await away.close();
    await own.close();
  });

  test('When a process stored events and could not relay them, then another one relays them once they are stale', async () => {
    const name = uniqueTestName('outbox-sweep');
    const shared = await connectDatabase({ url: testServers().mongoUrl, dbName: name, logger });
    const live = new Outbox({ connection: shared, broker, logger, intervalMs: 100, staleAfterMs: 300 });
    live.start();
    await live.flush();
    // This one never reaches its broker: its events stay in the collection both write to.
    const cutOff = new Broker({ url: testServers().amqpUrl, exchange, logger, name: 'cut-off' });
    const stranded = new Outbox({ connection: shared, broker: cutOff, logger });
    await stranded.add(createEvent({ type: 'thing.stranded', data: {}, source: 'test' }));
    await eventually(() => expect(probe.received.filter((e) => e.type === 'thing.stranded')).toHaveLength(1));
    await eventually(async () => expect(await live.backlog()).toBe(0));
    await live.stop();
    await shared.close();
  });
});

describe('the outbox sending events whose documents are their proof', () => {
  test('When nothing stored waits, then sent events are published in order with confirms and not stored', async () => {
    const { outbox, commands, close } = await countedOutbox('outbox-send');
    const events = Array.from({ length: 3 }, (_, i) => createEvent({ type: 'thing.sent', data: { n: i }, source: 'test' }));
    await outbox.send(...events);
    // Confirmed when send resolves: the consumer's queue has them.
    await eventually(() => expect(probe.received.filter((e) => e.type === 'thing.sent').map((e) => e.data.n)).toEqual([0, 1, 2]));
    expect(commands.count('insert', 'outbox')).toBe(0);
    await close();
  });

  test('When the broker is away, then sent events are stored and relayed once it is back', async () => {
    const away = new Broker({ url: testServers().amqpUrl, exchange, logger, name: 'send-away' });
    const own = await connectDatabase({ url: testServers().mongoUrl, dbName: uniqueTestName('outbox-send-away'), logger });
    const outbox = new Outbox({ connection: own, broker: away, logger, intervalMs: 60_000 });
    outbox.start();
    const event = createEvent({ type: 'thing.sent-later', data: {}, source: 'test' });
    await outbox.send(event);
    expect(await outbox.backlog()).toBe(1);
    await away.start();
    await eventually(() => expect(probe.received.filter((e) => e.id === event.id)).toHaveLength(1));
    await outbox.flush();
    expect(await outbox.backlog()).toBe(0);
    await outbox.stop();
    await away.close();
    await own.close();
  });

  test('When stored events wait to be relayed, then a sent event is stored behind them instead of overtaking them', async () => {
    const late = new Broker({ url: testServers().amqpUrl, exchange, logger, name: 'send-behind' });
    const own = await connectDatabase({ url: testServers().mongoUrl, dbName: uniqueTestName('outbox-send-behind'), logger });
    const outbox = new Outbox({ connection: own, broker: late, logger, intervalMs: 60_000 });
    const first = createEvent({ type: 'thing.in-turn', data: { n: 1 }, source: 'test' });
    const second = createEvent({ type: 'thing.in-turn', data: { n: 2 }, source: 'test' });
    await outbox.add(first);
    // The broker is back, but the relay has not started: the first event still waits.
    await late.start();
    await outbox.send(second);
    expect(await outbox.backlog()).toBe(2);
    outbox.start();
    await eventually(() => expect(probe.received.filter((e) => e.type === 'thing.in-turn').map((e) => e.data.n)).toEqual([1, 2]));
    await outbox.flush();
    await outbox.stop();
    await late.close();
    await own.close();
  });

  test('When the broker goes silent, then send stores the events once the confirms are late, instead of waiting for them', async () => {
    const hop = await tcpHop(new URL(testServers().amqpUrl));
    const silent = new Broker({ url: hop.url, exchange, logger, name: 'send-silent' });
    await silent.start();
    const own = await connectDatabase({ url: testServers().mongoUrl, dbName: uniqueTestName('outbox-send-silent'), logger });
    const outbox = new Outbox({ connection: own, broker: silent, logger, intervalMs: 60_000, confirmWithinMs: 300 });
    outbox.start();
    await outbox.flush();
    hop.freeze();
    await outbox.send(createEvent({ type: 'thing.unconfirmed', data: {}, source: 'test' }));
    expect(await outbox.backlog()).toBe(1);
    await hop.close();
    await silent.close();
    await own.close();
  });
});

describe('the consumer', () => {
  async function consume(handlers: EventHandlers, options: { maxAttempts?: number; concurrency?: number; retryDelayMs?: number } = {}): Promise<string> {
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
    await consume({
      'flaky.test': async () => {
        calls++;
        if (calls < 3) throw new Error('transient');
      },
    });
    await probe.publish('flaky.test', {});
    await eventually(() => expect(calls).toBe(3));
  });

  test('When a handler keeps failing, then after the attempts the event is dead-lettered and the consumer goes on', async () => {
    const handled: number[] = [];
    const queue = await consume(
      {
        'broken.test': async (event: EventEnvelope<{ n: number }>) => {
          if (event.data.n === 1) throw new Error('always');
          handled.push(event.data.n);
        },
      },
      { maxAttempts: 3 },
    );
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
    await eventually(async () =>
      expect(await connection.collection('processed_events').findOne({ _id: event.id as unknown as mongoose.Types.ObjectId })).toMatchObject({ type: 'record.test' }),
    );
  });

  describe('in batches', () => {
    const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

    /** Starts a consumer held by its first event; `publish` runs meanwhile, then it goes on. */
    async function oneBatch(handlers: EventHandlers, publish: () => Promise<void>, options: { maxAttempts?: number; retryDelayMs?: number } = {}): Promise<string> {
      const hold = new ConsumerHold();
      const queue = await consume({ ...handlers, [hold.type]: hold.handler }, options);
      await hold.around(() => probe.publish(hold.type, {}), publish);
      return queue;
    }

    test("When events of several keys come in one batch, then each key's events are applied in order and one at a time, the keys side by side", async () => {
      const applied: string[] = [];
      const running = new Map<string, number>();
      let mostAtOnce = 0;
      let mostOfOneKey = 0;
      const handler = keyedHandler(
        (event) => `order-test:${String(event.data.key)}`,
        idempotentHandler(async (event) => {
          const key = String(event.data.key);
          running.set(key, (running.get(key) ?? 0) + 1);
          mostOfOneKey = Math.max(mostOfOneKey, running.get(key)!);
          mostAtOnce = Math.max(
            mostAtOnce,
            [...running.values()].reduce((sum, n) => sum + n, 0),
          );
          await sleep(Math.random() * 20);
          applied.push(`${key}${String(event.data.n)}`);
          running.set(key, running.get(key)! - 1);
        }),
      );
      await oneBatch({ 'order.test': handler }, async () => {
        for (let n = 0; n < 5; n++) for (const key of ['a', 'b', 'c']) await probe.publish('order.test', { key, n });
      });
      await eventually(() => expect(applied).toHaveLength(15));
      for (const key of ['a', 'b', 'c']) expect(applied.filter((entry) => entry.startsWith(key))).toEqual([0, 1, 2, 3, 4].map((n) => `${key}${n}`));
      expect(mostOfOneKey).toBe(1);
      expect(mostAtOnce).toBeGreaterThan(1);
    });

    test('When one event of a batch keeps failing, then the others, of its key too, are applied at once, and it is retried through the broker, then dead-lettered', async () => {
      const applied: Record<string, number[]> = { a: [], b: [] };
      const failedAt: number[] = [];
      let lastAppliedAt = 0;
      const byCustomer = (event: EventEnvelope): string => String(event.data.customer);
      const handler = keyedHandler(byCustomer, async (event: EventEnvelope<{ n: number; customer: string }>) => {
        if (event.data.n === 1) {
          failedAt.push(Date.now());
          throw new Error('always');
        }
        applied[event.data.customer]!.push(event.data.n);
        lastAppliedAt = Date.now();
      });
      // Retries after 0.4, 0.8, 1.6 and 3.2 s: 6 s in all.
      const queue = await oneBatch(
        { 'poison.retry': handler },
        async () => {
          for (let n = 1; n <= 6; n++) await probe.publish('poison.retry', { n, customer: n % 2 === 1 ? 'a' : 'b' });
        },
        { maxAttempts: 5, retryDelayMs: 400 },
      );
      const released = Date.now();
      await eventually(() => expect(applied).toEqual({ a: [3, 5], b: [2, 4, 6] }), 3000, 20);
      expect(lastAppliedAt - released).toBeLessThan(2000);
      expect(failedAt).toHaveLength(1);

      const dead = await eventually(
        async () => {
          const messages = await deadLetterMessages(queue);
          expect(messages).toHaveLength(1);
          return messages[0]!;
        },
        20_000,
        200,
      );
      expect(JSON.parse(dead.body).data).toEqual({ n: 1, customer: 'a' });
      expect(dead.headers[RETRIES_HEADER]).toBe(4);
      expect(failedAt).toHaveLength(5);
      // The broker held it between attempts: the waits add up to the schedule.
      expect(failedAt[4]! - failedAt[0]!).toBeGreaterThanOrEqual(0.9 * 6000);
    });

    test("When a group's events of one key come in one batch, then one call applies them all, in order", async () => {
      const calls: string[][] = [];
      const group = groupedHandler({
        key: (event) => `group-test:${String(event.data.key)}`,
        apply: async (events) => void calls.push(events.map((event) => `${String(event.data.key)}${String(event.data.n)}`)),
      });
      await oneBatch({ 'group.first': group, 'group.second': group }, async () => {
        for (let n = 0; n < 6; n++) await probe.publish(n % 2 ? 'group.second' : 'group.first', { key: 'a', n });
        for (let n = 0; n < 3; n++) await probe.publish('group.first', { key: 'b', n });
      });
      await eventually(() => expect(calls.flat()).toHaveLength(9));
      expect(calls.sort()).toEqual([
        ['a0', 'a1', 'a2', 'a3', 'a4', 'a5'],
        ['b0', 'b1', 'b2'],
      ]);
    });

    test('When a handler without a key comes between keyed events, then it runs alone, after those before it and before those after it', async () => {
      const timeline: string[] = [];
      const keyed = keyedHandler(
        (event) => `barrier-test:${String(event.data.n)}`,
        idempotentHandler(async (event) => {
          timeline.push(`start ${String(event.data.n)}`);
          await sleep(20);
          timeline.push(`end ${String(event.data.n)}`);
        }),
      );
      const alone = async (): Promise<void> => void timeline.push('alone');
      await oneBatch({ 'keyed.test': keyed, 'alone.test': alone }, async () => {
        await probe.publish('keyed.test', { n: 1 });
        await probe.publish('keyed.test', { n: 2 });
        await probe.publish('alone.test', {});
        await probe.publish('keyed.test', { n: 3 });
      });
      await eventually(() => expect(timeline).toHaveLength(7));
      expect(timeline.indexOf('alone')).toBe(4);
      expect(timeline.slice(5)).toEqual(['start 3', 'end 3']);
    });

    test('When one event of a group fails for good, then the rest of its key is applied and only that one is dead-lettered', async () => {
      const applied: number[] = [];
      const group = groupedHandler({
        key: () => 'poison-group:one',
        apply: async (events) => {
          if (events.some((event) => event.data.poison)) throw new Error('cannot apply');
          applied.push(...events.map((event) => Number(event.data.n)));
        },
      });
      const queue = await oneBatch(
        { 'poison.group': group },
        async () => {
          for (let n = 0; n < 4; n++) await probe.publish('poison.group', { n, poison: n === 2 });
        },
        { maxAttempts: 2 },
      );
      await eventually(() => expect(applied).toEqual([0, 1, 3]));
      const dead = await eventually(async () => {
        const bodies = await deadLetters(queue);
        expect(bodies).toHaveLength(1);
        return bodies;
      });
      expect(JSON.parse(dead[0]!).data).toEqual({ n: 2, poison: true });
    });

    test('When the database is away in the middle of a batch, then the events go back to the queue and come again in order, applied once', async () => {
      const applied: string[] = [];
      let failed = false;
      const handler = keyedHandler(
        (event) => `requeue-test:${String(event.data.key)}`,
        idempotentHandler(async (event) => {
          if (event.data.key === 'a' && event.data.n === 1 && !failed) {
            failed = true;
            throw Object.assign(new Error('connection closed'), { name: 'MongoNetworkError' });
          }
          applied.push(`${String(event.data.key)}${String(event.data.n)}`);
        }),
      );
      await oneBatch({ 'requeue.test': handler }, async () => {
        for (let n = 0; n < 3; n++) for (const key of ['a', 'b']) await probe.publish('requeue.test', { key, n });
      });
      await eventually(() => expect(applied).toHaveLength(6), 15_000);
      expect(applied.filter((entry) => entry.startsWith('a'))).toEqual(['a0', 'a1', 'a2']);
      expect(applied.filter((entry) => entry.startsWith('b'))).toEqual(['b0', 'b1', 'b2']);
      expect(failed).toBe(true);
    });
  });
});
