/**
 * Waits until the event machinery is idle (every service queue empty and every outbox drained),
 * so that one case's event backlog does not run into the next case's measurement.
 */
import amqp from 'amqplib';
import { MongoClient } from 'mongodb';
import { sleep } from './http';
import type { ServiceName, Target } from './shop';

const SERVICES: ServiceName[] = ['customer', 'products', 'shopping'];

export interface Backlog {
  queued: Record<string, number>;
  outbox: Record<string, number>;
}

export class Quiescence {
  private connection?: Awaited<ReturnType<typeof amqp.connect>>;
  private mongo?: MongoClient;

  constructor(private readonly target: Target) {}

  get possible(): boolean {
    return Boolean(this.target.amqpUrl);
  }

  async backlog(): Promise<Backlog> {
    const queued: Record<string, number> = {};
    const outbox: Record<string, number> = {};
    if (this.target.amqpUrl) {
      this.connection ??= await amqp.connect(this.target.amqpUrl);
      for (const service of SERVICES) {
        const channel = await this.connection.createChannel();
        channel.on('error', () => undefined);
        try {
          const { messageCount } = await channel.checkQueue(`${this.target.queuePrefix ?? ''}${service}`);
          queued[service] = messageCount;
        } catch {
          queued[service] = 0; // no such queue (yet)
        }
        await channel.close().catch(() => undefined);
      }
    }
    if (this.target.mongoUrl && this.target.dbNames) {
      this.mongo ??= await new MongoClient(this.target.mongoUrl).connect();
      for (const service of SERVICES) {
        outbox[service] = await this.mongo.db(this.target.dbNames[service]).collection('outbox').countDocuments();
      }
    }
    return { queued, outbox };
  }

  /** Resolves with how long it took to become idle (seen twice in a row), or the backlog left at the timeout. */
  async waitIdle(timeoutMs = 180_000): Promise<{ ms: number; idle: boolean; left?: Backlog }> {
    const started = Date.now();
    if (!this.possible) {
      await sleep(3000);
      return { ms: Date.now() - started, idle: true };
    }
    let quietChecks = 0;
    let last: Backlog | undefined;
    while (Date.now() - started < timeoutMs) {
      last = await this.backlog();
      const busy = [...Object.values(last.queued), ...Object.values(last.outbox)].some((n) => n > 0);
      quietChecks = busy ? 0 : quietChecks + 1;
      if (quietChecks >= 3) return { ms: Date.now() - started, idle: true };
      await sleep(250);
    }
    return { ms: Date.now() - started, idle: false, left: last };
  }

  async close(): Promise<void> {
    await this.connection?.close().catch(() => undefined);
    await this.mongo?.close().catch(() => undefined);
  }
}
