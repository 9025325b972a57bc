import amqp, { type Channel, type ChannelModel, type ConfirmChannel, type ConsumeMessage, type Options, type RecoveringChannelModel } from 'amqplib';
import type { Logger } from '../logging/logger';
import { ServiceUnavailableError } from '../errors/app-errors';
import { MessageBatches } from './batches';
import { within } from '../events/apply-timeout';

/**
 * What becomes of a message: done, poison (to the dead-letter queue), back to the queue at once
 * to come again in its place, or through the retry queue to come again after a delay, behind
 * what came meanwhile.
 */
export type MessageOutcome = 'ack' | 'dead-letter' | 'requeue' | { retryInMs: number };

/** How many times a message has been sent to the retry queue (0 for its first delivery). */
export const RETRIES_HEADER = 'x-shop-retries';

export function retriesOf(message: ConsumeMessage): number {
  const retries = Number(message.properties.headers?.[RETRIES_HEADER] ?? 0);
  return Number.isInteger(retries) && retries > 0 ? retries : 0;
}

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
  /** How long close waits for the broker to confirm it (default 2 s). */
  closeWithinMs?: number;
}

export class BrokerUnavailableError extends ServiceUnavailableError {
  constructor() {
    super('The message broker is unavailable', 'BROKER_UNAVAILABLE');
  }
}

export function deadLetterQueueName(queue: string): string {
  return `${queue}.dead-letter`;
}

export function retryQueueName(queue: string): string {
  return `${queue}.retry`;
}

/**
 * The direct exchange of a consuming queue's own routes: `dead-letter` to its dead-letter queue,
 * `retry` to its retry queue and `work` back to it. A named exchange of the service's own rather
 * than the default one, because a user who may write to the default exchange reaches every
 * queue by name, and so could hand another service any event.
 */
export function queueRoutesExchangeName(queue: string): string {
  return `${queue}.routes`;
}

const PRECONDITION_FAILED = 406;

const CONSUMER_RESTART_DELAY_MS = 250;

const ROUTE = { work: 'work', retry: 'retry', deadLetter: 'dead-letter' } as const;

/**
 * One connection to RabbitMQ for a service: a confirm channel to publish on and a channel per
 * consumer. It connects with retry, and after the broker goes away it reconnects by itself and
 * declares its topology and consumers again.
 */
export class Broker {
  private recovering?: Promise<RecoveringChannelModel>;
  private connection?: ChannelModel;
  private publishChannel?: ConfirmChannel;
  private readonly consumers: MessageBatches[] = [];
  /** Consumers the broker stopped, waiting to be started again on the same connection. */
  private readonly restarting = new Set<MessageBatches>();
  private readonly subscriptions: SubscriptionSpec[] = [];
  private readonly connectedListeners: Array<() => void> = [];
  private firstConnect?: Promise<void>;

  constructor(private readonly options: BrokerOptions) {}

  /** Starts connecting; resolves once connected the first time (retrying until then). */
  start(): Promise<void> {
    this.firstConnect ??= new Promise<void>((resolve) => {
      this.onConnected(resolve, { once: true });
      this.recovering = this.connect();
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
    const recovering = this.recovering;
    this.recovering = undefined;
    this.connection = undefined;
    this.publishChannel = undefined;
    // A connection whose socket died unnoticed would wait for the broker's close-ok for ever.
    if (recovering) await within(this.options.closeWithinMs ?? 2000, async () => (await recovering).close()).catch(() => undefined);
  }

  /**
   * amqplib's recovery connects, and after the broker goes away reconnects, with a growing delay;
   * `setUp` runs on every connection before it counts as made, and a failure there is retried too.
   */
  private async connect(): Promise<RecoveringChannelModel> {
    const { logger, url, exchange, name } = this.options;
    const recovering = await amqp.connect(url, {
      clientProperties: { connection_name: name },
      recovery: { initialDelay: 250, maxDelay: 5000, waitForConnect: false, setup: (connection: ChannelModel) => this.setUp(connection) },
    });
    // Each connection's own listener (setUp) logs its errors; amqplib passes them on here too.
    recovering.on('error', () => undefined);
    recovering.on('connect-failed', (error: Error) => logger.warn('broker connect failed; retrying', { error: error.message }));
    recovering.on('disconnect', () => {
      this.connection = undefined;
      this.publishChannel = undefined;
      logger.warn('broker connection closed; reconnecting');
    });
    recovering.on('connect', () => {
      logger.info('broker connected', { exchange });
      for (const listener of [...this.connectedListeners]) listener();
    });
    // A close before the first connection rejects the wait for it; start() then never resolves.
    recovering.waitForConnect().catch(() => undefined);
    return recovering;
  }

  /** Declares the exchange, the consumers and the subscriptions on a new connection, then publishes on it. */
  private async setUp(connection: ChannelModel): Promise<void> {
    const { logger, exchange } = this.options;
    // From the start: an error while the setup runs must not go unheard (and crash the process).
    connection.on('error', (error: Error) => logger.warn('broker connection error', { error: error.message }));
    const channel = await connection.createConfirmChannel();
    channel.on('error', (error: Error) => {
      // The broker closed the channel (a publish to the exchange an operator deleted, say): a new
      // connection declares the exchange, the queues and their bindings again.
      logger.warn('broker closed the publish channel; connecting again', { error: error.message });
      connection.close().catch(() => undefined);
    });
    await channel.assertExchange(exchange, 'topic', { durable: true });
    for (const batches of this.consumers) await this.startConsumer(connection, batches.spec, batches);
    for (const spec of this.subscriptions) await this.startSubscription(connection, spec);
    // Closed meanwhile: amqplib closes this connection once the setup is done.
    if (!this.recovering) return;
    this.connection = connection;
    this.publishChannel = channel;
  }

  private async startConsumer(connection: ChannelModel, spec: ConsumerSpec, batches: MessageBatches): Promise<void> {
    await this.declareConsumerQueues(connection, spec);
    // A confirm channel: a message sent to the retry queue is acknowledged once the broker has it.
    const channel: ConfirmChannel = await connection.createConfirmChannel();
    let stopped = false;
    const stop = (): void => {
      if (stopped) return;
      stopped = true;
      batches.channelClosed(channel);
      this.restartConsumer(connection, batches);
    };
    channel.on('error', (error: Error) => this.options.logger.warn('consumer channel error', { queue: spec.queue, error: error.message }));
    channel.on('close', stop);
    await channel.prefetch(batches.size * 2);
    await channel.consume(spec.queue, (message) => {
      if (message) return batches.deliver(channel, message);
      // The broker cancelled the consumer (its queue was deleted): this channel delivers no more.
      stop();
      channel.close().catch(() => undefined);
    });
  }

  /**
   * A consumer the broker stopped while the connection stays up (its channel closed by an error,
   * its queue deleted) is started again on that connection, its queues declared anew. One stopped
   * by the connection's loss is left to the next connection, which starts every consumer.
   */
  private restartConsumer(connection: ChannelModel, batches: MessageBatches): void {
    if (this.restarting.has(batches)) return;
    this.restarting.add(batches);
    const { logger } = this.options;
    const { queue } = batches.spec;
    // After a delay long enough for a lost connection to be noticed first.
    const restart = (): void => {
      this.restarting.delete(batches);
      if (this.connection !== connection) return;
      logger.warn('consumer stopped by the broker; starting it again', { queue });
      this.startConsumer(connection, batches.spec, batches).catch((error: unknown) => {
        logger.warn('consumer could not start again; retrying', { queue, error: error instanceof Error ? error.message : String(error) });
        this.restartConsumer(connection, batches);
      });
    };
    setTimeout(restart, CONSUMER_RESTART_DELAY_MS).unref();
  }

  /**
   * The work queue, its dead-letter queue and its retry queue, whose messages wait out their
   * own TTL and then go back to the work queue. A work queue that already exists with other
   * arguments (declared by another release of the shop) keeps them: RabbitMQ cannot change a
   * queue's arguments, so it works on as it is, with a warning.
   */
  private async declareConsumerQueues(connection: ChannelModel, spec: ConsumerSpec): Promise<void> {
    const { exchange, logger } = this.options;
    const routes = queueRoutesExchangeName(spec.queue);
    const channel = await connection.createChannel();
    channel.on('error', (error: Error) => logger.warn('consumer channel error', { queue: spec.queue, error: error.message }));
    await channel.assertExchange(routes, 'direct', { durable: true });
    await channel.assertQueue(deadLetterQueueName(spec.queue), { durable: true });
    await channel.bindQueue(deadLetterQueueName(spec.queue), routes, ROUTE.deadLetter);
    await channel.assertQueue(retryQueueName(spec.queue), {
      durable: true,
      arguments: { 'x-dead-letter-exchange': routes, 'x-dead-letter-routing-key': ROUTE.work },
    });
    await channel.bindQueue(retryQueueName(spec.queue), routes, ROUTE.retry);
    const workQueue = { durable: true, arguments: { 'x-dead-letter-exchange': routes, 'x-dead-letter-routing-key': ROUTE.deadLetter } };
    if (!(await declareOnOwnChannel(connection, spec.queue, workQueue))) {
      logger.warn('queue keeps the arguments it was declared with before; delete it once empty to have it declared anew', { queue: spec.queue });
    }
    await channel.bindQueue(spec.queue, routes, ROUTE.work);
    for (const key of spec.bindings) await channel.bindQueue(spec.queue, exchange, key);
    await channel.close();
  }

  private async startSubscription(connection: ChannelModel, spec: SubscriptionSpec): Promise<void> {
    const channel: Channel = await connection.createChannel();
    channel.on('error', (error: Error) => this.options.logger.warn('subscription channel error', { error: error.message }));
    // Server-named, exclusive and auto-deleted: it goes away with this process's connection.
    const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true, durable: false });
    for (const key of spec.bindings) await channel.bindQueue(queue, this.options.exchange, key);
    spec.onSubscribed?.();
    await channel.consume(
      queue,
      (message) => {
        if (!message) return;
        try {
          spec.handle(message);
        } catch (error) {
          this.options.logger.warn('subscriber failed on a message', { routingKey: message.fields.routingKey, error: error instanceof Error ? error.message : String(error) });
        }
      },
      { noAck: true },
    );
  }
}

/**
 * Declares a queue on a channel of its own, which the broker closes when the queue exists with
 * other arguments (PRECONDITION_FAILED): false then, and the queue is left as it is.
 */
async function declareOnOwnChannel(connection: ChannelModel, queue: string, options: Options.AssertQueue): Promise<boolean> {
  const channel = await connection.createChannel();
  channel.on('error', () => undefined);
  try {
    await channel.assertQueue(queue, options);
    await channel.close();
    return true;
  } catch (error) {
    if ((error as { code?: unknown }).code === PRECONDITION_FAILED) return false;
    throw error;
  }
}

/**
 * Sends a message to its queue's retry queue, to come back after `delayMs`, counted in its
 * header; the delivery is acknowledged once the broker has confirmed the copy (if not, it comes
 * again as it is). The TTL is the message's own; a retry queue expires messages from its head
 * only, so a longer delay ahead holds a shorter one behind it for that long.
 */
export function sendToRetry(channel: ConfirmChannel, queue: string, message: ConsumeMessage, delayMs: number): void {
  const { properties } = message;
  channel.publish(
    queueRoutesExchangeName(queue),
    ROUTE.retry,
    message.content,
    {
      persistent: true,
      contentType: properties.contentType as string | undefined,
      messageId: properties.messageId as string | undefined,
      correlationId: properties.correlationId as string | undefined,
      type: properties.type as string | undefined,
      headers: { ...properties.headers, [RETRIES_HEADER]: retriesOf(message) + 1 },
      expiration: String(Math.max(0, Math.round(delayMs))),
    },
    (error) => {
      try {
        if (error) channel.nack(message, false, true);
        else channel.ack(message);
      } catch {
        // The channel has closed meanwhile: the broker delivers the message again.
      }
    },
  );
}
