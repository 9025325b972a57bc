import amqp, { type Channel, type ChannelModel } from 'amqplib';
import { createEvent, type EventEnvelope } from '../kit/events/envelope';
import { publishersOf } from '../contracts/event-publishers';

/**
 * A test's own connection to the exchange: it records every event published there and can
 * publish events as if another service had.
 */
export class EventProbe {
  readonly received: EventEnvelope[] = [];
  /** Each event's messages as they came, by event id: to compare what was sent byte for byte. */
  private readonly bodies = new Map<string, string[]>();
  private connection?: ChannelModel;
  private channel?: Channel;

  constructor(
    private readonly amqpUrl: string,
    private readonly exchange: string,
  ) {}

  async start(): Promise<this> {
    this.connection = await amqp.connect(this.amqpUrl);
    this.channel = await this.connection.createChannel();
    await this.channel.assertExchange(this.exchange, 'topic', { durable: true });
    const { queue } = await this.channel.assertQueue('', { exclusive: true, autoDelete: true });
    await this.channel.bindQueue(queue, this.exchange, '#');
    await this.channel.consume(
      queue,
      (message) => {
        if (!message) return;
        try {
          const body = message.content.toString('utf8');
          const event = JSON.parse(body) as EventEnvelope;
          this.received.push(event);
          this.bodies.set(event.id, [...this.bodiesOf(event.id), body]);
        } catch {
          // tests publish malformed messages on purpose; the probe only records events
        }
      },
      { noAck: true },
    );
    return this;
  }

  /** Publishes as the service the contracts name as the type's sender (else as `test`), unless `source` says otherwise. */
  async publish(type: string, data: object, options: { id?: string; correlationId?: string; source?: string } = {}): Promise<EventEnvelope> {
    const event = createEvent({ type, data, source: publishersOf(type)[0] ?? 'test', ...options });
    this.publishRaw(type, Buffer.from(JSON.stringify(event)));
    return event as EventEnvelope;
  }

  publishRaw(routingKey: string, content: Buffer): void {
    if (!this.channel) throw new Error('probe not started');
    this.channel.publish(this.exchange, routingKey, content, { persistent: true });
  }

  bodiesOf(eventId: string): string[] {
    return this.bodies.get(eventId) ?? [];
  }

  /** Waits until an event matching the predicate has been seen. */
  async waitFor(predicate: (event: EventEnvelope) => boolean, timeoutMs = 10_000): Promise<EventEnvelope> {
    return eventually(() => {
      const found = this.received.find(predicate);
      if (!found) throw new Error(`no matching event among ${this.received.length} received (${[...new Set(this.received.map((e) => e.type))].join(', ')})`);
      return found;
    }, timeoutMs);
  }

  async stop(): Promise<void> {
    await this.connection?.close().catch(() => undefined);
  }
}

/** Retries an assertion until it passes or the time is up, then throws its last error. */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 10_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}
