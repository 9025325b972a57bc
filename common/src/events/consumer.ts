import { Schema, type Connection, type Model } from 'mongoose';
import { ZodError } from 'zod';
import type { Broker } from '../broker/broker';
import type { Logger } from '../logging/logger';
import { runWithContext } from '../logging/request-context';
import { isDatabaseUnavailable, isDuplicateKeyError } from '../database/mongo';
import { AppError } from '../errors/app-errors';
import { eventEnvelopeSchema, type EventEnvelope } from './envelope';
import { shopMetrics } from '../metrics/metrics';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type EventHandler = (event: EventEnvelope<any>) => Promise<void>;
export type EventHandlers = Record<string, EventHandler>;

const selfIdempotent = new WeakSet<EventHandler>();

/**
 * Marks a handler whose effect carries its own proof of having been applied (a version it
 * compares, an id it looks for, a status it sets), so that applying it twice changes nothing by
 * itself. The consumer then skips the processed_events read and write for it: on a queue that
 * applies events one at a time, those two round trips were half the cost of every event.
 */
export function idempotentHandler(handler: EventHandler): EventHandler {
  selfIdempotent.add(handler);
  return handler;
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
  /** Attempts of one delivery before a failing message goes to the dead-letter queue. */
  maxAttempts?: number;
  retryDelayMs?: number;
}

/** An error no retry can fix: the event itself is wrong. */
function isPermanent(error: unknown): boolean {
  return error instanceof ZodError || (error instanceof AppError && error.status < 500);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Consumes this service's queue: parses the envelope, skips events already applied (by id),
 * runs the handler with retries and backoff, records the event as applied, then acks.
 * Malformed messages and events that keep failing go to the dead-letter queue with a log line.
 */
export async function startEventConsumer(options: EventConsumerOptions): Promise<void> {
  const { broker, connection, logger, queue, handlers, maxAttempts = 5, retryDelayMs = 100 } = options;
  const processed: Model<ProcessedEvent> =
    connection.models.ProcessedEvent ?? connection.model<ProcessedEvent>('ProcessedEvent', processedEventSchema);

  const { eventsConsumed, deadLettered } = shopMetrics();
  const count = (type: string, outcome: 'applied' | 'duplicate' | 'retried' | 'dead-lettered' | 'ignored'): void => {
    eventsConsumed.inc({ type, outcome });
    if (outcome === 'dead-lettered') deadLettered.inc({ queue });
  };

  async function apply(event: EventEnvelope, handler: EventHandler): Promise<'ack' | 'dead-letter'> {
    const recordById = !selfIdempotent.has(handler);
    if (recordById && (await processed.exists({ _id: event.id }))) {
      logger.debug('event already applied', { eventId: event.id, type: event.type });
      count(event.type, 'duplicate');
      return 'ack';
    }
    for (let attempt = 1; ; attempt++) {
      try {
        await handler(event);
        break;
      } catch (error) {
        if (isDatabaseUnavailable(error)) {
          // Not the message's fault: put it back and wait for the database rather than dead-letter it.
          await sleep(1000);
          throw error;
        }
        if (isPermanent(error) || attempt >= maxAttempts) {
          logger.error('event dead-lettered', { eventId: event.id, type: event.type, attempt, error });
          count(event.type, 'dead-lettered');
          return 'dead-letter';
        }
        count(event.type, 'retried');
        logger.warn('event failed; retrying', { eventId: event.id, type: event.type, attempt, error: error instanceof Error ? error.message : String(error) });
        await sleep(retryDelayMs * 2 ** (attempt - 1));
      }
    }
    if (recordById) {
      try {
        await processed.create({ _id: event.id, type: event.type, processedAt: new Date() });
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
      }
    }
    logger.info('event applied', { eventId: event.id, type: event.type });
    count(event.type, 'applied');
    return 'ack';
  }

  await broker.consume({
    queue,
    bindings: Object.keys(handlers),
    prefetch: 1,
    singleActiveConsumer: true,
    handle: async (message) => {
      let event: EventEnvelope;
      try {
        event = eventEnvelopeSchema.parse(JSON.parse(message.content.toString('utf8')));
      } catch {
        logger.error('malformed message dead-lettered', { queue, bytes: message.content.length, routingKey: message.fields.routingKey });
        count('malformed', 'dead-lettered');
        return 'dead-letter';
      }
      const handler = handlers[event.type];
      if (!handler) {
        count(event.type, 'ignored');
        return 'ack';
      }
      return runWithContext({ requestId: event.correlationId ?? event.id }, () => apply(event, handler));
    },
  });
}
