/**
 * Event throughput of a service's consumers: a burst of events published at once to the shop's
 * exchange, timed until the service's instances together have applied all of them.
 */
import { randomBytes } from 'node:crypto';
import amqp from 'amqplib';
import { createEvent, ShoppingEvents } from '@shop/common';
import { appliedEventsOf } from '../../scripts/shop-processes';
import { sleep } from './http';

export interface EventBurst {
  instances: number;
  events: number;
  seconds: number;
  perSecond: number;
}

/**
 * `cart.updated` of as many customers as events, each its own view, as shopping announces them:
 * every event costs the customer service one read and one write of a view.
 */
function cartEvents(count: number): Array<ReturnType<typeof createEvent>> {
  const run = randomBytes(4).toString('hex');
  return Array.from({ length: count }, (_, i) =>
    createEvent({ type: ShoppingEvents.cartUpdated, source: 'shopping', data: { customerId: `bench-events-${run}-${i}`, items: [], version: 1 } }),
  );
}

async function appliedBy(instanceUrls: string[]): Promise<number> {
  const counts = await Promise.all(instanceUrls.map((url) => appliedEventsOf(url, ShoppingEvents.cartUpdated)));
  return counts.reduce((sum, count) => sum + count, 0);
}

/** Publishes `count` events (as the broker's administrator) and waits until the customer instances have applied them. */
export async function timeCartEventBurst(options: { amqpUrl: string; exchange: string; customerUrls: string[]; count: number; timeoutMs?: number }): Promise<EventBurst> {
  const { amqpUrl, exchange, customerUrls, count, timeoutMs = 120_000 } = options;
  const before = await appliedBy(customerUrls);
  const events = cartEvents(count);
  const connection = await amqp.connect(amqpUrl);
  try {
    const channel = await connection.createConfirmChannel();
    const started = Date.now();
    for (const event of events) {
      channel.publish(exchange, event.type, Buffer.from(JSON.stringify(event)), { persistent: true, contentType: 'application/json', messageId: event.id, type: event.type });
    }
    await channel.waitForConfirms();
    while ((await appliedBy(customerUrls)) - before < count) {
      if (Date.now() - started > timeoutMs) throw new Error(`the customer instances had not applied ${count} events after ${timeoutMs} ms`);
      await sleep(20);
    }
    const seconds = (Date.now() - started) / 1000;
    return { instances: customerUrls.length, events: count, seconds, perSecond: Math.round(count / seconds) };
  } finally {
    await connection.close();
  }
}
