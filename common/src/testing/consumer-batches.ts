import mongoose, { type Connection } from 'mongoose';
import { Broker } from '../kit/broker/broker';
import { createLogger } from '../kit/logging/logger';
import { EventProbe } from './event-probe';
import { testServers, uniqueTestName } from './test-settings';
import { idempotentHandler, startEventConsumer, type EventConsumerOptions, type EventHandler, type EventHandlers } from '../kit/events/consumer';

/**
 * For tests of batches: a handler without a key (so it runs alone) that holds the consumer while
 * a test publishes; what is published meanwhile is delivered and applied as the next batch.
 */
export class ConsumerHold {
  readonly type = 'test.hold';
  private gate?: { started: () => void; released: Promise<void> };

  // Idempotent, so that consumers sharing a database do not skip it as applied by another.
  readonly handler: EventHandler = idempotentHandler(async () => {
    const gate = this.gate;
    gate?.started();
    await gate?.released;
  });

  /** Holds the consumer (once `publishHold` has published an event of `type`) while `meanwhile` runs. */
  async around(publishHold: () => Promise<unknown>, meanwhile: () => Promise<void>, settleMs = 300): Promise<void> {
    let release!: () => void;
    let started!: () => void;
    const holding = new Promise<void>((resolve) => (started = resolve));
    this.gate = { started, released: new Promise<void>((resolve) => (release = resolve)) };
    await publishHold();
    await holding;
    try {
      await meanwhile();
      // A moment for the broker to deliver what was published.
      await new Promise((resolve) => setTimeout(resolve, settleMs));
    } finally {
      release();
    }
  }
}

/**
 * Counts the commands a connection sends, by command name and collection, as the database
 * received them, with the ids they name (a find's or a write's `_id` filter, an insert's documents).
 * The connection must be opened with `monitorCommands: true`.
 */
export function countCommands(connection: Connection): {
  count: (command: string, collection: string, id?: string) => number;
  /**
   * Writes that changed or inserted a document: updates that modified or upserted one (a guarded
   * update that matched nothing is not one) and inserts that stored one (not a duplicate key).
   */
  changes: (collection: string, id?: string) => number;
} {
  const seen: Array<{ requestId: number; command: string; collection: string; ids: unknown[]; changedIds: unknown[] }> = [];
  const client = connection.getClient();
  client.on('commandStarted', ({ commandName, command, requestId }) => {
    const collection = String(command[commandName]);
    const statements = (command.updates ?? command.deletes ?? []) as Array<{ q?: { _id?: unknown } }>;
    const documents = (command.documents ?? []) as Array<{ _id?: unknown }>;
    const ids =
      commandName === 'find' ? [command.filter?._id] : commandName === 'insert' ? documents.map((document) => document._id) : statements.map((statement) => statement.q?._id);
    seen.push({ requestId, command: commandName, collection, ids, changedIds: [] });
  });
  client.on('commandSucceeded', ({ commandName, reply, requestId }) => {
    const entry = seen.find((candidate) => candidate.requestId === requestId);
    if (!entry) return;
    if (commandName === 'update') {
      const { nModified = 0, upserted = [] } = reply as { nModified?: number; upserted?: unknown[] };
      if (nModified > 0 || upserted.length > 0) entry.changedIds = entry.ids;
    } else if (commandName === 'insert') {
      const failed = new Set(((reply as { writeErrors?: Array<{ index: number }> }).writeErrors ?? []).map(({ index }) => index));
      entry.changedIds = entry.ids.filter((_, index) => !failed.has(index));
    }
  });
  const matching = (commands: string[], collection: string, id?: string) =>
    seen.filter((entry) => commands.includes(entry.command) && entry.collection === collection && (id === undefined || entry.ids.includes(id)));
  return {
    count: (command, collection, id) => matching([command], collection, id).length,
    changes: (collection, id) =>
      matching(['update', 'insert'], collection, id).filter((entry) => (id === undefined ? entry.changedIds.length > 0 : entry.changedIds.includes(id))).length,
  };
}

/** A consumer on its own queue, exchange and database, with what tests of batches need around it. */
export interface TestConsumer {
  /** The consumer's connection, which counts its commands. */
  connection: Connection;
  /** Another connection to the same database, for the test's own reads (not counted). */
  reads: Connection;
  commands: ReturnType<typeof countCommands>;
  probe: EventProbe;
  queue: string;
  /** Publishes while the consumer is held, so that all of it arrives as one batch. */
  inOneBatch: (publish: () => Promise<void>) => Promise<void>;
  /** Waits until the consumer has gone through everything published before. */
  drained: () => Promise<void>;
  /** Another instance of the consumer: same queue, database and handlers, its own connections. */
  startInstance: () => Promise<ConsumerInstance>;
  stop: () => Promise<void>;
}

export interface ConsumerInstance {
  commands: ReturnType<typeof countCommands>;
  stop: () => Promise<void>;
}

export async function startTestConsumer(
  label: string,
  handlers: (connection: Connection) => EventHandlers,
  options: Pick<EventConsumerOptions, 'maxAttempts' | 'retryDelayMs'> = {},
): Promise<TestConsumer> {
  const { mongoUrl, amqpUrl } = testServers();
  const name = uniqueTestName(label);
  const queue = `${name}.consumer`;
  const hold = new ConsumerHold();
  const startInstance = async (): Promise<ConsumerInstance & { connection: Connection }> => {
    const logger = createLogger({ service: 'test', silent: true });
    const connection = await mongoose.createConnection(mongoUrl, { dbName: name, monitorCommands: true }).asPromise();
    const commands = countCommands(connection);
    const broker = new Broker({ url: amqpUrl, exchange: `${name}.events`, logger, name: 'test' });
    await broker.start();
    await startEventConsumer({ broker, connection, logger, queue, handlers: { ...handlers(connection), [hold.type]: hold.handler }, ...options });
    const stop = async (): Promise<void> => {
      await broker.close();
      await connection.close();
    };
    return { connection, commands, stop };
  };
  const first = await startInstance();
  const reads = await mongoose.createConnection(mongoUrl, { dbName: name }).asPromise();
  const probe = await new EventProbe(amqpUrl, `${name}.events`).start();
  const publishHold = (): Promise<unknown> => probe.publish(hold.type, {});
  return {
    connection: first.connection,
    reads,
    commands: first.commands,
    probe,
    queue,
    inOneBatch: (publish) => hold.around(publishHold, publish),
    drained: () => hold.around(publishHold, async () => undefined, 0),
    startInstance,
    stop: async () => {
      await first.stop();
      await probe.stop();
      await reads.close();
    },
  };
}
