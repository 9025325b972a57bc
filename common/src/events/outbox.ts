import mongoose, { Schema, type Connection, type Model } from 'mongoose';
import type { Broker } from '../broker/broker';
import type { Logger } from '../logging/logger';
import { isDuplicateKeyError } from '../database/mongo';
import type { EventEnvelope } from './envelope';
import { shopMetrics } from '../metrics/metrics';

interface OutboxRecord {
  _id: string;
  seq: number;
  envelope: EventEnvelope;
  createdAt: Date;
}

const outboxSchema = new Schema<OutboxRecord>(
  {
    _id: { type: String, required: true },
    seq: { type: Number, required: true },
    envelope: { type: Schema.Types.Mixed, required: true },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false, collection: 'outbox' },
);

let lastSeq = 0;
/** Increasing within a process, so that the events of one aggregate are relayed in order. */
function nextSeq(): number {
  lastSeq = Math.max(lastSeq + 1, Date.now() * 1000);
  return lastSeq;
}

export interface OutboxOptions {
  connection: Connection;
  broker: Broker;
  logger: Logger;
  /** How often unsent events are retried while nothing else triggers the relay. */
  intervalMs?: number;
}

/**
 * Events are written to this service's own `outbox` collection and relayed from there, with
 * publisher confirms, and deleted once confirmed. While the broker is away they wait; the relay
 * drains them on reconnect, on start and periodically. A crash between publish and delete makes
 * a duplicate, never a loss: consumers drop duplicates by event id.
 */
export class Outbox {
  private readonly model: Model<OutboxRecord>;
  private timer?: NodeJS.Timeout;
  private draining?: Promise<void>;
  private again = false;
  private removeBacklogSource?: () => void;

  constructor(private readonly options: OutboxOptions) {
    this.model = options.connection.models.OutboxRecord ?? options.connection.model<OutboxRecord>('OutboxRecord', outboxSchema);
  }

  /** Stores events to publish; an event whose id is already stored is kept once. */
  async add(...events: EventEnvelope[]): Promise<void> {
    for (const envelope of events) {
      try {
        await this.model.create({ _id: envelope.id, seq: nextSeq(), envelope, createdAt: new Date() });
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
      }
    }
    this.kick();
  }

  start(): void {
    this.removeBacklogSource = shopMetrics().addBacklogSource(() => this.backlog());
    this.options.broker.onConnected(() => this.kick());
    this.timer = setInterval(() => this.kick(), this.options.intervalMs ?? 2000);
    this.timer.unref();
    this.kick();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.removeBacklogSource?.();
    await this.draining;
  }

  async backlog(): Promise<number> {
    return this.model.countDocuments();
  }

  /** Starts a drain unless one is running; a running drain goes round once more. */
  kick(): void {
    if (this.draining) {
      this.again = true;
      return;
    }
    this.draining = this.drain()
      .catch((error: unknown) => {
        this.options.logger.warn('outbox relay paused', { error: error instanceof Error ? error.message : String(error) });
      })
      .finally(() => {
        this.draining = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Resolves when everything stored so far has been relayed (tests and shutdown use it). */
  async flush(): Promise<void> {
    while (this.draining || (await this.backlog()) > 0) {
      if (!this.draining) this.kick();
      await this.draining;
      if (!this.options.broker.isConnected()) return;
    }
  }

  private async drain(): Promise<void> {
    const { broker } = this.options;
    for (;;) {
      if (!broker.isConnected()) return;
      const batch = await this.model.find().sort({ seq: 1 }).limit(100).lean();
      if (batch.length === 0) return;
      const published: string[] = [];
      try {
        for (const { envelope } of batch) {
          await broker.publish(envelope.type, envelope, { messageId: envelope.id, correlationId: envelope.correlationId });
          shopMetrics().eventsPublished.inc({ type: envelope.type });
          published.push(envelope.id);
        }
      } finally {
        // One write for the batch; what was published before a failure is not published again.
        if (published.length > 0) await this.model.deleteMany({ _id: mongoose.trusted({ $in: published }) });
      }
    }
  }
}
