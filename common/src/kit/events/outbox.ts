import mongoose, { Schema, type Connection, type Model } from 'mongoose';
import type { Broker } from '../broker/broker';
import type { Logger } from '../logging/logger';
import { insertEachOnce } from '../database/mongo';
import type { EventEnvelope } from './envelope';
import { shopMetrics } from '../metrics/metrics';
import { within } from './apply-timeout';

/**
 * An event as it goes on the bus. Its envelope is stored as the JSON text that is published, not
 * as a document: the driver would store an absent field (`correlationId`, an optional field of
 * `data`) as null, and a relay from the collection would then send what a relay from memory does
 * not, which the envelope and event schemas reject.
 */
interface OutboxRecord {
  _id: string;
  seq: number;
  type: string;
  body: string;
  /** Set only when the envelope has one. */
  correlationId?: string;
  createdAt: Date;
}

const outboxSchema = new Schema<OutboxRecord>(
  {
    _id: { type: String, required: true },
    seq: { type: Number, required: true },
    type: { type: String, required: true },
    body: { type: String, required: true },
    correlationId: String,
    createdAt: { type: Date, required: true },
  },
  { versionKey: false, collection: 'outbox' },
);

function outboxRecord(envelope: EventEnvelope): OutboxRecord {
  const { id, type, correlationId } = envelope;
  return { _id: id, seq: nextSeq(), type, body: JSON.stringify(envelope), ...(correlationId === undefined ? {} : { correlationId }), createdAt: new Date() };
}

/** A record stored while the envelope was a document: an absent correlationId came back as null. */
type StoredRecord = OutboxRecord | (Omit<OutboxRecord, 'type' | 'body'> & { envelope: EventEnvelope & { correlationId?: string | null } });

function relayable(record: StoredRecord): OutboxRecord {
  if (!('envelope' in record)) return record;
  const { correlationId, ...envelope } = record.envelope;
  return { ...outboxRecord(correlationId === null ? envelope : { ...envelope, correlationId }), seq: record.seq, createdAt: record.createdAt };
}

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
  /** How often the collection is swept for events that no process holds (default 2 s). */
  intervalMs?: number;
  /** How old a stored event must be before a sweep relays it (default 5 s). */
  staleAfterMs?: number;
  /** How long relayed records wait to be deleted together (default 200 ms). */
  deleteAfterMs?: number;
  /** How long `send` waits for the broker's confirms before it stores the events instead (default 2 s). */
  confirmWithinMs?: number;
}

/** Events relayed together: one read (when the collection is read) and one delete per batch. */
const BATCH = 100;

/**
 * Events are written to this service's own `outbox` collection and relayed from there, with
 * publisher confirms, and deleted once confirmed. The events this process stored are relayed from
 * memory (the record is only the proof against a crash): no read of the collection per event.
 * The collection is read instead at start, after the broker came back, after a failed publish or
 * delete, and by a periodic sweep for records older than `staleAfterMs` (left by a process that
 * died or lost its broker). Relayed records are deleted together, a few times a second. A crash
 * between publish and delete, or a sweep racing a live process, makes a duplicate, never a loss:
 * consumers drop duplicates by event id.
 */
export class Outbox {
  private readonly model: Model<OutboxRecord>;
  private timer?: NodeJS.Timeout;
  private draining?: Promise<void>;
  private again = false;
  private removeBacklogSource?: () => void;
  /** Stored by this process and not yet relayed, in the order stored. */
  private held: OutboxRecord[] = [];
  /** What the next relay must read from the collection: everything, the stale records, or nothing. */
  private toRead: 'all' | 'stale' | 'none' = 'all';
  /** Relaying what a read of the whole collection found (this process's own events among them). */
  private catchingUp = false;
  /** Published and confirmed, not yet deleted. */
  private readonly relayed = new Set<string>();
  private deleteTimer?: NodeJS.Timeout;
  private deleting?: Promise<void>;
  /** Sent directly and not yet confirmed or stored. */
  private readonly sending = new Set<Promise<void>>();

  constructor(private readonly options: OutboxOptions) {
    this.model = options.connection.models.OutboxRecord ?? options.connection.model<OutboxRecord>('OutboxRecord', outboxSchema);
  }

  /**
   * Stores events to publish. An event whose id is stored and not yet relayed is kept once; one
   * already relayed goes again (a caller that announces something again wants it sent again, and
   * consumers drop what they have seen), also while its record waits to be deleted.
   */
  async add(...events: EventEnvelope[]): Promise<void> {
    // One command for all of them; held in the order given, so they are relayed in that order.
    const records = events.map(outboxRecord);
    const stored = await insertEachOnce(this.model, records);
    records.forEach((record, i) => {
      if (stored[i]) {
        this.held.push(record);
      } else if (this.relayed.delete(record._id)) {
        // Its record stays in the collection until this relay is confirmed (unless a delete already
        // under way takes it: then only a crash before the relay would lose this second sending).
        this.held.push(record);
      }
    });
    this.kick();
  }

  /**
   * Publishes events whose changed documents record that they are still to be announced (a flag
   * set by the change itself, which a catch-up reads after a crash): the document is their proof,
   * so they need no record of their own. They go straight to the broker when nothing stored waits
   * to be relayed (so they never overtake events stored before them), and are stored like `add`'s
   * when something waits, when the broker is away, or when it does not confirm them in time.
   * Resolves once they are confirmed or stored; the caller then clears its flag.
   */
  async send(...events: EventEnvelope[]): Promise<void> {
    if (!this.relayIsIdle()) return this.add(...events);
    const sent = this.publishDirectly(events).catch(() => this.add(...events));
    this.sending.add(sent);
    try {
      await sent;
    } finally {
      this.sending.delete(sent);
    }
  }

  /** Nothing of this process's waits: a sweep for other processes' stale events does not count. */
  private relayIsIdle(): boolean {
    return this.options.broker.isConnected() && this.held.length === 0 && this.toRead !== 'all' && !this.catchingUp;
  }

  /** A confirm or a refusal after the time is up changes nothing: the events are stored by then. */
  private async publishDirectly(events: EventEnvelope[]): Promise<void> {
    // All at once: the channel keeps their order, as the relay's batches do.
    await within(this.options.confirmWithinMs ?? 2000, () => Promise.all(events.map(outboxRecord).map((record) => this.publish(record))));
  }

  /** One event on the bus, as its record holds it; resolves once the broker confirms it. */
  private async publish({ _id, type, body, correlationId }: OutboxRecord): Promise<void> {
    await this.options.broker.publish(type, body, { messageId: _id, correlationId });
    shopMetrics().eventsPublished.inc({ type });
  }

  start(): void {
    this.removeBacklogSource = shopMetrics().addBacklogSource(() => this.backlog());
    this.options.broker.onConnected(() => this.relay('all'));
    this.timer = setInterval(() => this.relay('stale'), this.options.intervalMs ?? 2000);
    this.timer.unref();
    this.relay('all');
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.removeBacklogSource?.();
    await Promise.all(this.sending);
    await this.draining;
    await this.deleteRelayed();
  }

  async backlog(): Promise<number> {
    return this.model.countDocuments();
  }

  /** Starts a relay unless one is running; a running relay goes round once more. */
  kick(): void {
    if (this.draining) {
      this.again = true;
      return;
    }
    this.draining = this.drain()
      .catch((error: unknown) => {
        // What was not confirmed and deleted is in the collection: read it from there next time.
        this.held = [];
        this.readNext('all');
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
    await Promise.all(this.sending);
    while (this.draining || (await this.backlog()) > 0) {
      if (!this.draining) this.relay('all');
      await this.draining;
      await this.deleteRelayed();
      if (!this.options.broker.isConnected()) return;
    }
  }

  private relay(read: 'all' | 'stale'): void {
    this.readNext(read);
    this.kick();
  }

  private readNext(read: 'all' | 'stale'): void {
    if (this.toRead !== 'all') this.toRead = read;
  }

  /** The next events to relay, oldest first: from the collection when it must be read, else those held. */
  private async nextBatch(): Promise<OutboxRecord[]> {
    // Concurrent adds may finish their inserts out of order.
    if (this.toRead === 'none') return this.held.sort((a, b) => a.seq - b.seq).slice(0, BATCH);
    const stale = this.toRead === 'stale' ? { createdAt: mongoose.trusted({ $lt: new Date(Date.now() - (this.options.staleAfterMs ?? 5000)) }) } : {};
    const read = this.toRead;
    if (read === 'all') this.catchingUp = true;
    this.toRead = 'none';
    const batch = await this.model.find(stale).sort({ seq: 1 }).limit(BATCH).lean<StoredRecord[]>();
    // A full batch may have more behind it.
    if (batch.length === BATCH) this.toRead = read;
    return batch.filter((record) => !this.relayed.has(record._id)).map(relayable);
  }

  private async drain(): Promise<void> {
    const { broker } = this.options;
    for (;;) {
      if (!broker.isConnected()) {
        // Everything held is in the collection too: read it from there once the broker is back.
        this.held = [];
        this.readNext('all');
        return;
      }
      const batch = await this.nextBatch();
      if (batch.length === 0) {
        if (this.toRead === 'none' && this.held.length === 0) {
          this.catchingUp = false;
          return;
        }
        continue;
      }
      const published = new Set<string>();
      try {
        // All at once, then the confirms: the channel keeps their order, and events sent together
        // (an order and its emptied cart) reach consumers together, in one batch.
        const confirms = await Promise.allSettled(
          batch.map(async (record) => {
            await this.publish(record);
            published.add(record._id);
          }),
        );
        const failed = confirms.find((confirm) => confirm.status === 'rejected');
        if (failed) throw failed.reason;
      } finally {
        // What was published before a failure is not published again.
        if (published.size > 0) {
          this.held = this.held.filter((record) => !published.has(record._id));
          for (const id of published) this.relayed.add(id);
          this.deleteTimer ??= setTimeout(() => void this.deleteRelayed(), this.options.deleteAfterMs ?? 200);
        }
      }
    }
  }

  /** One write for what was relayed since the last one; kept for the next one if it fails. */
  private async deleteRelayed(): Promise<void> {
    await this.deleting;
    clearTimeout(this.deleteTimer);
    this.deleteTimer = undefined;
    const ids = [...this.relayed];
    if (ids.length === 0) return;
    this.deleting = this.model
      .deleteMany({ _id: mongoose.trusted({ $in: ids }) })
      .then(() => ids.forEach((id) => this.relayed.delete(id)))
      .catch((error: unknown) => {
        this.options.logger.warn('outbox clean-up failed; retrying', { error: error instanceof Error ? error.message : String(error) });
        this.deleteTimer ??= setTimeout(() => void this.deleteRelayed(), 1000);
      })
      .finally(() => {
        this.deleting = undefined;
      });
    await this.deleting;
  }
}
