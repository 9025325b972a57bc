import type { Connection, Model } from 'mongoose';

/** The batches of each connection, so that a service flushes them all before it closes the connection. */
const batchesOf = new WeakMap<Connection, Set<{ flush(): Promise<void> }>>();

type BulkWrites<T> = Parameters<Model<T>['bulkWrite']>[0];

/**
 * Updates that may land a moment later, sent together: one bulk write per window. Only for
 * bookkeeping whose loss costs repeated work, never correctness: an `announced` mark, without
 * which a catch-up sends the event once more and consumers drop the duplicate. So a write that
 * fails is not retried (the catch-up covers it), and nobody waits for one.
 */
export class LaterUpdates<T> {
  private pending: Array<{ updateOne: { filter: Record<string, unknown>; update: Record<string, unknown> } }> = [];
  private timer?: NodeJS.Timeout;
  private writing?: Promise<void>;

  constructor(
    private readonly model: Model<T>,
    private readonly windowMs = 1000,
  ) {
    const batches = batchesOf.get(model.db) ?? new Set();
    batches.add(this);
    batchesOf.set(model.db, batches);
  }

  updateOne(filter: Record<string, unknown>, update: Record<string, unknown>): void {
    this.pending.push({ updateOne: { filter, update } });
    this.timer ??= setTimeout(() => void this.flush(), this.windowMs).unref();
  }

  /** Writes what is pending now (and waits for a write under way). */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const operations = this.pending;
    this.pending = [];
    await this.writing;
    if (operations.length === 0) return;
    this.writing = this.model
      .bulkWrite(operations as BulkWrites<T>, { ordered: false })
      .then(() => undefined)
      .catch(() => undefined)
      .finally(() => (this.writing = undefined));
    await this.writing;
  }
}

/** Writes every batch pending on the connection: before it closes. */
export async function flushLaterUpdates(connection: Connection): Promise<void> {
  await Promise.all([...(batchesOf.get(connection) ?? [])].map((batch) => batch.flush()));
}
