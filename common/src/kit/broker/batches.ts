import type { ConfirmChannel, ConsumeMessage } from 'amqplib';
import { sendToRetry, type ConsumerSpec, type MessageOutcome } from './broker';

interface Delivery {
  message: ConsumeMessage;
  channel: ConfirmChannel;
}

/**
 * Gathers a consumer's deliveries into batches and settles them, one batch at a time: a batch
 * starts when nothing more is ready, when it is full, or after the longest wait, and the next
 * starts only once every message of this one is acknowledged, dead-lettered or put back.
 *
 * One per consumer spec, not per channel: after a reconnection the new channel's deliveries
 * (often the same messages again) wait until the batch still running from the old one is done,
 * so that a document never has two writers.
 */
export class MessageBatches {
  private readonly waiting: Delivery[] = [];
  private readonly closedChannels = new WeakSet<ConfirmChannel>();
  private running = false;
  private quietCheck?: NodeJS.Immediate;
  private deadline?: NodeJS.Timeout;

  constructor(readonly spec: ConsumerSpec) {}

  get size(): number {
    return Math.max(1, this.spec.batchSize ?? 1);
  }

  /** The channel's consumer callback. */
  deliver(channel: ConfirmChannel, message: ConsumeMessage): void {
    this.waiting.push({ channel, message });
    if (this.running) return;
    if (this.waiting.length >= this.size) return void this.flush();
    // Nothing further in this turn of the event loop means nothing more is ready right now.
    if (this.quietCheck) clearImmediate(this.quietCheck);
    this.quietCheck = setImmediate(() => void this.flush());
    this.deadline ??= setTimeout(() => void this.flush(), this.spec.batchWaitMs ?? 5);
  }

  /** A closed channel's messages come again on the next one; those still waiting are dropped. */
  channelClosed(channel: ConfirmChannel): void {
    this.closedChannels.add(channel);
  }

  private async flush(): Promise<void> {
    if (this.quietCheck) clearImmediate(this.quietCheck);
    clearTimeout(this.deadline);
    this.quietCheck = undefined;
    this.deadline = undefined;
    if (this.running) return;
    const batch = this.waiting.splice(0, this.size).filter(({ channel }) => !this.closedChannels.has(channel));
    if (batch.length === 0) return;
    this.running = true;
    let outcomes: MessageOutcome[];
    try {
      outcomes = await this.spec.handle(batch.map(({ message }) => message));
    } catch {
      // A handler that throws has not stored its effects: the messages go back to the queue.
      outcomes = batch.map(() => 'requeue');
    }
    batch.forEach((delivery, i) => this.settle(delivery, outcomes[i] ?? 'requeue'));
    if (outcomes.includes('requeue')) {
      // What came after a message put back must not be applied before it comes again: back too,
      // in delivery order (RabbitMQ returns requeued messages to their places in the queue).
      for (const delivery of this.waiting.splice(0)) this.settle(delivery, 'requeue');
    }
    this.running = false;
    // What arrived meanwhile has waited already.
    if (this.waiting.length > 0) void this.flush();
  }

  private settle({ channel, message }: Delivery, outcome: MessageOutcome): void {
    try {
      if (typeof outcome === 'object') sendToRetry(channel, this.spec.queue, message, outcome.retryInMs);
      else if (outcome === 'ack') channel.ack(message);
      else channel.nack(message, false, outcome === 'requeue');
    } catch {
      // The channel has closed meanwhile: the broker delivers the message again.
    }
  }
}
