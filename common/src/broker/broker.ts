import amqp, { type Channel, type ChannelModel, type ConfirmChannel, type ConsumeMessage } from 'amqplib';
import type { Logger } from '../logging/logger';
import { ServiceUnavailableError } from '../errors/app-errors';
import { MessageBatches } from './batches';

/** What becomes of a message: done, poison (to the dead-letter queue), or back to the queue to come again. */
export type MessageOutcome = 'ack' | 'dead-letter' | 'requeue';

export interface ConsumerSpec {
  queue: string;
  /** Routing keys (event types, wildcards allowed) bound from the exchange to the queue. */
  bindings: string[];
  /**
   * At most this many messages are handed over together (default 1). Twice as many may be
   * unacknowledged, so that while one batch is applied the next one is already here.
   */
  batchSize?: number;
  /**
   * A batch is handed over once a turn of the event loop brings no further message (nothing more
   * is ready), once it is full, or at the latest this long after its first message (default 5 ms).
   */
  batchWaitMs?: number;
  /**
   * One consumer at a time receives from the queue, the others stand by: the writes that the
   * events cause are then never concurrent, which FerretDB needs (its updates are not atomic).
   */
  singleActiveConsumer?: boolean;
  /**
   * Handles messages in the order the queue delivered them and answers one outcome per message;
   * the next batch waits until this one is settled. Throwing puts them all back.
   */
  handle: (messages: ConsumeMessage[]) => Promise<MessageOutcome[]>;
}

/**
 * A copy of every matching event for this process alone, on a queue that lives as long as the
 * connection: for state that each instance keeps in memory. Events published while the
 * connection was down are not there; `onSubscribed` runs on every (re)connection, before
 * delivery starts, so the subscriber can reload what it may have missed.
 */
export interface SubscriptionSpec {
  bindings: string[];
  handle: (message: ConsumeMessage) => void;
  onSubscribed?: () => void;
}

export interface BrokerOptions {
  url: string;
  exchange: string;
  logger: Logger;
  /** Shown in the broker's connection list. */
  name: string;
}

export class BrokerUnavailableError extends ServiceUnavailableError {
  constructor() {
    super('The message broker is unavailable', 'BROKER_UNAVAILABLE');
  }
}

export function deadLetterQueueName(queue: string): string {
  return `${queue}.dead-letter`;
}

/**
 * One connection to RabbitMQ for a service: a confirm channel to publish on and a channel per
 * consumer. It connects with retry, and after the broker goes away it reconnects by itself and
 * declares its topology and consumers again.
 */
export class Broker {
  private connection?: ChannelModel;
  private publishChannel?: ConfirmChannel;
  private readonly consumers: MessageBatches[] = [];
  private readonly subscriptions: SubscriptionSpec[] = [];
  private closing = false;
  private reconnectTimer?: NodeJS.Timeout;
  private retryDelayMs = 250;
  private readonly connectedListeners: Array<() => void> = [];
  private firstConnect?: Promise<void>;

  constructor(private readonly options: BrokerOptions) {}

  /** Starts connecting; resolves once connected the first time (retrying until then). */
  start(): Promise<void> {
    this.firstConnect ??= new Promise<void>((resolve) => {
      this.onConnected(resolve, { once: true });
      void this.connect();
    });
    return this.firstConnect;
  }

  isConnected(): boolean {
    return this.publishChannel !== undefined;
  }

  /** Called after every (re)connection: a relay uses it to drain what waited meanwhile. */
  onConnected(listener: () => void, { once = false } = {}): void {
    if (!once) {
      this.connectedListeners.push(listener);
      return;
    }
    const wrapper = (): void => {
      this.connectedListeners.splice(this.connectedListeners.indexOf(wrapper), 1);
      listener();
    };
    this.connectedListeners.push(wrapper);
  }

  /** Publishes a JSON body as it is, persistently, and resolves only when the broker has confirmed it. */
  async publish(routingKey: string, json: string, headers: { messageId: string; correlationId?: string }): Promise<void> {
    const channel = this.publishChannel;
    if (!channel) throw new BrokerUnavailableError();
    const content = Buffer.from(json);
    await new Promise<void>((resolve, reject) => {
      channel.publish(
        this.options.exchange,
        routingKey,
        content,
        {
          persistent: true,
          contentType: 'application/json',
          messageId: headers.messageId,
          correlationId: headers.correlationId,
          type: routingKey,
        },
        (error) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve()),
      );
    }).catch((error: unknown) => {
      throw error instanceof ServiceUnavailableError ? error : new BrokerUnavailableError();
    });
  }

  /** Registers a consumer; it is (re)started on every connection. */
  async consume(spec: ConsumerSpec): Promise<void> {
    const batches = new MessageBatches(spec);
    this.consumers.push(batches);
    if (this.connection) await this.startConsumer(this.connection, spec, batches);
  }

  /** Registers a subscription (see SubscriptionSpec); it is made again on every connection. */
  async subscribe(spec: SubscriptionSpec): Promise<void> {
    this.subscriptions.push(spec);
    if (this.connection) await this.startSubscription(this.connection, spec);
  }

  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.reconnectTimer);
    const connection = this.connection;
    this.connection = undefined;
    this.publishChannel = undefined;
    if (connection) await connection.close().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.closing) return;
    const { logger, url, exchange, name } = this.options;
    try {
      const connection = await amqp.connect(url, { clientProperties: { connection_name: name } });
      connection.on('error', (error: Error) => logger.warn('broker connection error', { error: error.message }));
      connection.on('close', () => this.handleClose(connection));
      const channel = await connection.createConfirmChannel();
      channel.on('error', (error: Error) => logger.warn('broker channel error', { error: error.message }));
      await channel.assertExchange(exchange, 'topic', { durable: true });
      for (const batches of this.consumers) await this.startConsumer(connection, batches.spec, batches);
      for (const spec of this.subscriptions) await this.startSubscription(connection, spec);
      this.connection = connection;
      this.publishChannel = channel;
      this.retryDelayMs = 250;
      logger.info('broker connected', { exchange });
      for (const listener of [...this.connectedListeners]) listener();
    } catch (error) {
      logger.warn('broker connect failed; retrying', { error: error instanceof Error ? error.message : String(error), inMs: this.retryDelayMs });
      this.scheduleReconnect();
    }
  }

  private handleClose(connection: ChannelModel): void {
    if (this.connection !== connection && this.connection !== undefined) return;
    this.connection = undefined;
    this.publishChannel = undefined;
    if (this.closing) return;
    this.options.logger.warn('broker connection closed; reconnecting');
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closing) return;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => void this.connect(), this.retryDelayMs);
    this.retryDelayMs = Math.min(this.retryDelayMs * 2, 5000);
  }

  private async startConsumer(connection: ChannelModel, spec: ConsumerSpec, batches: MessageBatches): Promise<void> {
    const channel: Channel = await connection.createChannel();
    channel.on('error', (error: Error) => this.options.logger.warn('consumer channel error', { queue: spec.queue, error: error.message }));
    channel.on('close', () => batches.channelClosed(channel));
    const deadLetters = deadLetterQueueName(spec.queue);
    await channel.assertQueue(deadLetters, { durable: true });
    await channel.assertQueue(spec.queue, {
      durable: true,
      arguments: {
        'x-dead-letter-exchange': '',
        'x-dead-letter-routing-key': deadLetters,
        ...(spec.singleActiveConsumer ? { 'x-single-active-consumer': true } : {}),
      },
    });
    for (const key of spec.bindings) await channel.bindQueue(spec.queue, this.options.exchange, key);
    await channel.prefetch(batches.size * 2);
    await channel.consume(spec.queue, (message) => {
      if (message) batches.deliver(channel, message);
    });
  }

  private async startSubscription(connection: ChannelModel, spec: SubscriptionSpec): Promise<void> {
    const channel: Channel = await connection.createChannel();
    channel.on('error', (error: Error) => this.options.logger.warn('subscription channel error', { error: error.message }));
    // Server-named, exclusive and auto-deleted: it goes away with this process's connection.
    const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true, durable: false });
    for (const key of spec.bindings) await channel.bindQueue(queue, this.options.exchange, key);
    spec.onSubscribed?.();
    await channel.consume(queue, (message) => {
      if (!message) return;
      try {
        spec.handle(message);
      } catch (error) {
        this.options.logger.warn('subscriber failed on a message', { routingKey: message.fields.routingKey, error: error instanceof Error ? error.message : String(error) });
      }
    }, { noAck: true });
  }
}
