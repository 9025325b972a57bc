import { Schema, type Connection, type Model } from 'mongoose';
import type { ConsumeMessage } from 'amqplib';
import { ZodError } from 'zod';
import { retriesOf, type Broker, type MessageOutcome } from '../broker/broker';
import type { Logger } from '../logging/logger';
import { runWithContext } from '../logging/request-context';
import { isDatabaseUnavailable } from '../database/errors';
import { insertOnce } from '../database/mongo';
import { AppError } from '../errors/app-errors';
import { eventEnvelopeSchema, type EventEnvelope } from './envelope';
import { shopMetrics } from '../metrics/metrics';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type EventHandler = (event: EventEnvelope<any>) => Promise<void>;
export type EventHandlers = Record<string, EventHandler>;

/** Names the document an event changes, e.g. `customer-view:<customer id>`. */
export type EventKey = (event: EventEnvelope) => string;

/**
 * Events that each change one document, applied together: the consumer hands `apply` every
 * event of one key that a batch holds, in the order they came, to be read and written once.
 */
export interface EventGroup {
  key: EventKey;
  /** Must be idempotent by the document's own state (a version, an id, a status). */
  apply: (events: EventEnvelope[]) => Promise<void>;
}

const selfIdempotent = new WeakSet<EventHandler>();
const keys = new WeakMap<EventHandler, EventKey>();
const groups = new WeakMap<EventHandler, EventGroup>();

/**
 * Marks a handler whose effect carries its own proof of having been applied (a version it
 * compares, an id it looks for, a status it sets), so that applying it twice changes nothing by
 * itself. The consumer then skips the processed_events read and write for it.
 */
export function idempotentHandler(handler: EventHandler): EventHandler {
  selfIdempotent.add(handler);
  return handler;
}

/**
 * Declares which document a handler changes. Within a batch, events with the same key (of any
 * type) are applied in the order they came, one at a time; events with different keys are applied
 * side by side. A handler without a key may touch anything: it runs alone in its batch, after what
 * came before it and before what comes after. Another instance may apply the same key meanwhile.
 */
export function keyedHandler(key: EventKey, handler: EventHandler): EventHandler {
  keys.set(handler, key);
  return handler;
}

/** One handler for every event type of a group (register it under each type). */
export function groupedHandler(group: EventGroup): EventHandler {
  const handler: EventHandler = (event) => group.apply([event]);
  groups.set(handler, group);
  return idempotentHandler(keyedHandler(group.key, handler));
}

interface ProcessedEvent {
  _id: string;
  type: string;
  processedAt: Date;
}

const processedEventSchema = new Schema<ProcessedEvent>(
  { _id: { type: String, required: true }, type: String, processedAt: Date },
  { versionKey: false, collection: 'processed_events' },
);

export interface EventConsumerOptions {
  broker: Broker;
  connection: Connection;
  logger: Logger;
  queue: string;
  handlers: EventHandlers;
  /** Attempts at a failing event before it goes to the dead-letter queue (default 5). */
  maxAttempts?: number;
  /** The wait before the first retry, doubled for each further one (default 100 ms). */
  retryDelayMs?: number;
  /** Messages taken from the queue together (default 64). */
  batchSize?: number;
  /** How long a batch waits for more messages at most (default 5 ms). */
  batchWaitMs?: number;
  /** Keys of one batch applied at the same time (default 8). */
  concurrency?: number;
  /**
   * How long applying an event (or a group's events) may take before its messages are put back
   * (default 10 s). A driver call on a connection the database dropped may never settle; without
   * a bound it would hold the batch, and so the whole queue, forever.
   */
  applyTimeoutMs?: number;
  /**
   * Whether an event's `source` may send its `type`; one that may not is dead-lettered unapplied,
   * so that a service cannot pass for another by naming it. Unset: every source is believed.
   */
  mayPublish?: (source: string, type: string) => boolean;
}

/** An error no retry can fix: the event itself is wrong. */
function isPermanent(error: unknown): boolean {
  return error instanceof ZodError || (error instanceof AppError && error.status < 500);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** An apply that did not settle in time: its messages go back to the queue, like when the database is away. */
class ApplyTimeoutError extends Error {
  constructor(ms: number) {
    super(`not settled within ${ms} ms`);
  }
}

/**
 * The work's outcome, or an ApplyTimeoutError once `ms` have passed. The work may still finish
 * afterwards; that is safe because every effect is atomic and idempotent (another instance may
 * apply the same event at the same time anyway).
 */
async function within<T>(ms: number, work: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new ApplyTimeoutError(ms)), ms)));
  try {
    return await Promise.race([work(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Not the event's fault: it goes back to the queue rather than to a retry or the dead letters. */
const isPutBack = (error: unknown): boolean => isDatabaseUnavailable(error) || error instanceof ApplyTimeoutError;
const isSettled = (outcome: MessageOutcome | undefined): boolean => outcome !== undefined && outcome !== 'requeue';
const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** A message of a batch, once read: its event and what applies it, or its outcome already. */
interface Item {
  event?: EventEnvelope;
  handler?: EventHandler;
  /** This delivery is the event's attempt number `attempt` (retries through the broker + 1). */
  attempt: number;
  /** Undefined: the handler runs alone. */
  key?: string;
  outcome?: MessageOutcome;
}

/**
 * Consumes this service's queue in batches. Each batch is cut where a handler without a key
 * comes (it runs alone); in between, the events are grouped by key: the keys proceed side by
 * side, each key's events in order, consecutive events of one group applied by one call.
 * Every event is parsed, skipped if already applied (by id, for handlers not idempotent by
 * themselves), applied, recorded, then acknowledged. Malformed messages, events whose source may
 * not send them and events that keep failing go to the dead-letter queue with a log line; while
 * the database is away, or when an apply has not settled within its time, events go back to the
 * queue with everything after them.
 *
 * A failing event is retried through the broker: it leaves the batch for the retry queue and
 * comes back after 100 ms · 2^n, so it costs only itself. The events after it, of its key too,
 * are applied meanwhile: a key's events are still applied one at a time in the order they came,
 * but a retried one comes again after them. Handlers are written for that (replicas apply only
 * newer versions, an order's status moves do not depend on their order, a status event that
 * finds no order yet fails and is retried until the order is there).
 *
 * Every instance of a service consumes the same queue (competing consumers), so events of one
 * key may also be applied by two instances at once: a handler's effect must be atomic (guarded
 * single-document updates, unique inserts, a version-checked write) as well as order-independent.
 * Ordering and grouping by key hold within one instance's batch, where they save reads and writes.
 */
export async function startEventConsumer(options: EventConsumerOptions): Promise<void> {
  const { broker, connection, logger, queue, handlers, maxAttempts = 5, retryDelayMs = 100 } = options;
  const { batchSize = 64, batchWaitMs = 5, concurrency = 8, applyTimeoutMs = 10_000, mayPublish = () => true } = options;
  const processed: Model<ProcessedEvent> = connection.models.ProcessedEvent ?? connection.model<ProcessedEvent>('ProcessedEvent', processedEventSchema);

  const { eventsConsumed, deadLettered } = shopMetrics();
  const count = (type: string, outcome: 'applied' | 'duplicate' | 'retried' | 'dead-lettered' | 'ignored'): void => {
    eventsConsumed.inc({ type, outcome });
    if (outcome === 'dead-lettered') deadLettered.inc({ queue });
  };
  const inContext = <T>(event: EventEnvelope, fn: () => T): T => runWithContext({ requestId: event.correlationId ?? event.id }, fn);
  const applied = (event: EventEnvelope): void =>
    inContext(event, () => {
      logger.info('event applied', { eventId: event.id, type: event.type });
      count(event.type, 'applied');
    });
  const deadLetter = (event: EventEnvelope, attempt: number, error: unknown): MessageOutcome =>
    inContext(event, () => {
      logger.error('event dead-lettered', { eventId: event.id, type: event.type, source: event.source, attempt, error });
      count(event.type, 'dead-lettered');
      return 'dead-letter';
    });

  /** One event by its handler: dedupe, apply (or send to retry), record. Never throws. */
  async function applyOne(event: EventEnvelope, handler: EventHandler, attempt: number): Promise<MessageOutcome> {
    return inContext(event, async () => {
      try {
        return await within(applyTimeoutMs, () => dedupeApplyRecord(event, handler, attempt));
      } catch (error) {
        // The database went away, the record could not be written, or the apply never settled:
        // not the message's fault. It goes back to the queue (after a pause, so as not to spin) rather than to the dead letters.
        logger.warn('event put back', { eventId: event.id, type: event.type, error: messageOf(error) });
        await sleep(1000);
        return 'requeue';
      }
    });
  }

  async function dedupeApplyRecord(event: EventEnvelope, handler: EventHandler, attempt: number): Promise<MessageOutcome> {
    const recordById = !selfIdempotent.has(handler);
    if (recordById && (await processed.exists({ _id: event.id }))) {
      logger.debug('event already applied', { eventId: event.id, type: event.type });
      count(event.type, 'duplicate');
      return 'ack';
    }
    try {
      await handler(event);
    } catch (error) {
      if (isDatabaseUnavailable(error)) throw error;
      if (isPermanent(error) || attempt >= maxAttempts) return deadLetter(event, attempt, error);
      const retryInMs = retryDelayMs * 2 ** (attempt - 1);
      count(event.type, 'retried');
      logger.warn('event failed; retrying through the broker', { eventId: event.id, type: event.type, attempt, inMs: retryInMs, error: messageOf(error) });
      return { retryInMs };
    }
    if (recordById) {
      await insertOnce(processed, { _id: event.id, type: event.type, processedAt: new Date() });
    }
    applied(event);
    return 'ack';
  }

  /**
   * Consecutive events of one group and key by one call. If that fails, they are applied one at
   * a time, so that only the one at fault is retried and dead-lettered.
   */
  async function applyTogether(items: Item[], group: EventGroup): Promise<MessageOutcome[]> {
    const events = items.map((item) => item.event!);
    if (events.length > 1) {
      try {
        await inContext(events[0]!, () => within(applyTimeoutMs, () => group.apply(events)));
        events.forEach(applied);
        return events.map(() => 'ack');
      } catch (error) {
        if (isPutBack(error)) {
          inContext(events[0]!, () => logger.warn('events put back', { count: events.length, type: events[0]!.type, error: messageOf(error) }));
          await sleep(1000);
          return events.map(() => 'requeue');
        }
        logger.warn('events failed together; applying them one at a time', { count: events.length, type: events[0]!.type, error: messageOf(error) });
      }
    }
    return applyInOrder(items);
  }

  /** Events in order; once one is put back, so is everything after it. */
  async function applyInOrder(items: Item[]): Promise<MessageOutcome[]> {
    const outcomes: MessageOutcome[] = [];
    for (const { event, handler, attempt } of items) {
      outcomes.push(outcomes.includes('requeue') ? 'requeue' : await applyOne(event!, handler!, attempt));
    }
    return outcomes;
  }

  /** The events of one key, in order: runs of one group together, the others one by one. */
  async function applyKey(items: Item[]): Promise<void> {
    for (let start = 0; start < items.length;) {
      const group = groups.get(items[start]!.handler!);
      let end = start + 1;
      while (group && end < items.length && groups.get(items[end]!.handler!) === group) end++;
      const run = items.slice(start, end);
      const outcomes = group ? await applyTogether(run, group) : await applyInOrder(run);
      run.forEach((item, i) => (item.outcome = outcomes[i]));
      start = end;
      if (outcomes.includes('requeue')) break; // the rest of this key waits for them to come again
    }
  }

  /** Keyed events between two unkeyed ones: `concurrency` keys at a time. */
  async function applyKeys(items: Item[]): Promise<void> {
    const byKey = new Map<string, Item[]>();
    for (const item of items) {
      const list = byKey.get(item.key!);
      if (list) list.push(item);
      else byKey.set(item.key!, [item]);
    }
    const lists = [...byKey.values()];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < lists.length) await applyKey(lists[next++]!);
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, lists.length) }, worker));
  }

  /** Reads a message: its outcome if it is malformed or unhandled, else its handler and key. */
  function read(message: ConsumeMessage): Item {
    const attempt = retriesOf(message) + 1;
    let event: EventEnvelope;
    try {
      event = eventEnvelopeSchema.parse(JSON.parse(message.content.toString('utf8')));
    } catch {
      logger.error('malformed message dead-lettered', { queue, bytes: message.content.length, routingKey: message.fields.routingKey });
      count('malformed', 'dead-lettered');
      return { attempt, outcome: 'dead-letter' };
    }
    if (!mayPublish(event.source, event.type)) {
      return { event, attempt, outcome: deadLetter(event, attempt, new Error(`${event.source} may not publish ${event.type}`)) };
    }
    const handler = handlers[event.type];
    if (!handler) {
      count(event.type, 'ignored');
      return { event, attempt, outcome: 'ack' };
    }
    const key = keys.get(handler);
    if (!key) return { event, handler, attempt };
    try {
      return { event, handler, attempt, key: key(event) };
    } catch (error) {
      // The key comes from the event's data: an event without one can never be applied.
      return { event, attempt, outcome: deadLetter(event, attempt, error) };
    }
  }

  async function handleBatch(messages: ConsumeMessage[]): Promise<MessageOutcome[]> {
    const items = messages.map(read);
    const pending = items.filter((item) => item.outcome === undefined);
    for (let start = 0; start < pending.length;) {
      const first = pending[start]!;
      let end = start + 1;
      if (first.key !== undefined) while (end < pending.length && pending[end]!.key !== undefined) end++;
      const segment = pending.slice(start, end);
      if (first.key === undefined) first.outcome = await applyOne(first.event!, first.handler!, first.attempt);
      else await applyKeys(segment);
      // Once something is put back, what follows waits for it to come again (so do the keyed
      // events not yet applied, whose outcome stays undefined).
      if (!segment.every((item) => isSettled(item.outcome))) break;
      start = end;
    }
    return items.map((item) => item.outcome ?? 'requeue');
  }

  await broker.consume({
    queue,
    bindings: Object.keys(handlers),
    batchSize,
    batchWaitMs,
    handle: handleBatch,
  });
}
