import { Schema, type Connection, type Model } from 'mongoose';
import type { ConsumeMessage } from 'amqplib';
import { retriesOf, type Broker, type MessageOutcome } from '../broker/broker';
import type { Logger } from '../logging/logger';
import { runWithContext } from '../logging/request-context';
import { isDatabaseUnavailable } from '../database/errors';
import { insertOnce } from '../database/mongo';
import type { EventEnvelope } from './envelope';
import { shopMetrics } from '../metrics/metrics';
import { outcomeOfFailure, outcomeOfVerdict, planBatch, type KeyPlan, type PlannedEvent, type Run, type Verdict } from './batch-plan';
import type { EventGroup, EventHandlers } from './handler-traits';
import { ApplyTimeoutError, within } from './apply-timeout';

export { groupedHandler, idempotentHandler, keyedHandler } from './handler-traits';
export type { EventGroup, EventHandler, EventHandlers, EventKey, HandlerTraits } from './handler-traits';

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

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Not the event's fault: it goes back to the queue rather than to a retry or the dead letters. */
const isPutBack = (error: unknown): boolean => isDatabaseUnavailable(error) || error instanceof ApplyTimeoutError;
const isSettled = (outcome: MessageOutcome | undefined): boolean => outcome !== undefined && outcome !== 'requeue';
const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * Consumes this service's queue in batches: the shell around the batch planner (batch-plan.ts),
 * which decides from the messages and the handlers' traits (handler-traits.ts) what is settled
 * unapplied and in which steps the rest is applied; here the steps meet the database and the
 * channel. Each batch is cut where a handler without a key
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
      logger.debug('event applied', { eventId: event.id, type: event.type });
      count(event.type, 'applied');
    });
  const deadLetter = (event: EventEnvelope, attempt: number, error: unknown): MessageOutcome =>
    inContext(event, () => {
      logger.error('event dead-lettered', { eventId: event.id, type: event.type, source: event.source, attempt, error });
      count(event.type, 'dead-lettered');
      return 'dead-letter';
    });

  /** What reading a message alone decided: logged and counted here. */
  function settleUnread(verdict: Verdict, attempt: number, message: ConsumeMessage): MessageOutcome {
    switch (verdict.kind) {
      case 'malformed':
        logger.error('malformed message dead-lettered', { queue, bytes: message.content.length, routingKey: message.fields.routingKey });
        count('malformed', 'dead-lettered');
        break;
      case 'forbidden':
      case 'without-key':
        return deadLetter(verdict.event, attempt, verdict.error);
      case 'unhandled':
        count(verdict.event.type, 'ignored');
        break;
      case 'duplicate':
        inContext(verdict.event, () => logger.debug('event delivered twice in one batch', { eventId: verdict.event.id, type: verdict.event.type }));
        count(verdict.event.type, 'duplicate');
        break;
    }
    return outcomeOfVerdict(verdict);
  }

  /** One event by its handler: dedupe, apply (or send to retry), record. Never throws. */
  async function applyOne({ event, handler, traits, attempt }: PlannedEvent): Promise<MessageOutcome> {
    return inContext(event, async () => {
      try {
        return await within(applyTimeoutMs, () => dedupeApplyRecord(event, () => handler(event), !traits.idempotent, attempt));
      } catch (error) {
        // The database went away, the record could not be written, or the apply never settled:
        // not the message's fault. It goes back to the queue (after a pause, so as not to spin)
        // rather than to the dead letters.
        logger.warn('event put back', { eventId: event.id, type: event.type, error: messageOf(error) });
        await sleep(1000);
        return 'requeue';
      }
    });
  }

  async function dedupeApplyRecord(event: EventEnvelope, apply: () => Promise<void>, recordById: boolean, attempt: number): Promise<MessageOutcome> {
    if (recordById && (await processed.exists({ _id: event.id }))) {
      logger.debug('event already applied', { eventId: event.id, type: event.type });
      count(event.type, 'duplicate');
      return 'ack';
    }
    try {
      await apply();
    } catch (error) {
      if (isDatabaseUnavailable(error)) throw error;
      const outcome = outcomeOfFailure(error, attempt, { maxAttempts, retryDelayMs });
      if (outcome === 'dead-letter') return deadLetter(event, attempt, error);
      count(event.type, 'retried');
      logger.warn('event failed; retrying through the broker', { eventId: event.id, type: event.type, attempt, inMs: outcome.retryInMs, error: messageOf(error) });
      return outcome;
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
  async function applyTogether(run: PlannedEvent[], group: EventGroup): Promise<MessageOutcome[]> {
    const events = run.map(({ event }) => event);
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
    return applyInOrder(run);
  }

  /** Events in order; once one is put back, so is everything after it. */
  async function applyInOrder(run: PlannedEvent[]): Promise<MessageOutcome[]> {
    const outcomes: MessageOutcome[] = [];
    for (const planned of run) outcomes.push(outcomes.includes('requeue') ? 'requeue' : await applyOne(planned));
    return outcomes;
  }

  /** One run: a group's events together, any other event alone. */
  const applyRun = ({ group, events }: Run): Promise<MessageOutcome[]> => (group ? applyTogether(events, group) : applyInOrder(events));

  /** The runs of one key, in order, until one is put back: the rest of the key waits for it to come again. */
  async function applyKey({ runs }: KeyPlan, outcomes: Array<MessageOutcome | undefined>): Promise<void> {
    for (const run of runs) {
      const runOutcomes = await applyRun(run);
      run.events.forEach(({ index }, i) => (outcomes[index] = runOutcomes[i]));
      if (runOutcomes.includes('requeue')) return;
    }
  }

  /** Keyed events between two unkeyed ones: `concurrency` keys at a time. */
  async function applyKeys(keyPlans: KeyPlan[], outcomes: Array<MessageOutcome | undefined>): Promise<void> {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < keyPlans.length) await applyKey(keyPlans[next++]!, outcomes);
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, keyPlans.length) }, worker));
  }

  async function handleBatch(messages: ConsumeMessage[]): Promise<MessageOutcome[]> {
    const attempts = messages.map((message) => retriesOf(message) + 1);
    const plan = planBatch(
      messages.map((message, i) => ({ body: message.content.toString('utf8'), attempt: attempts[i]! })),
      handlers,
      mayPublish,
    );
    const outcomes: Array<MessageOutcome | undefined> = messages.map(() => undefined);
    for (const [index, verdict] of plan.verdicts) outcomes[index] = settleUnread(verdict, attempts[index]!, messages[index]!);
    for (const step of plan.steps) {
      if (step.kind === 'alone') outcomes[step.event.index] = await applyOne(step.event);
      else await applyKeys(step.keys, outcomes);
      // Once something is put back, what follows waits for it to come again (so do the keyed
      // events not yet applied, whose outcome stays undefined).
      const stepIndexes = step.kind === 'alone' ? [step.event.index] : step.keys.flatMap(({ runs }) => runs.flatMap((run) => run.events.map(({ index }) => index)));
      if (!stepIndexes.every((index) => isSettled(outcomes[index]))) break;
    }
    return outcomes.map((outcome) => outcome ?? 'requeue');
  }

  await broker.consume({
    queue,
    bindings: Object.keys(handlers),
    batchSize,
    batchWaitMs,
    handle: handleBatch,
  });
}
