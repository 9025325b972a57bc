import type { ConsumeMessage } from 'amqplib';
import { createLogger } from '../logging/logger';
import { eventually, testServers, uniqueTestName } from '../testing';
import { Broker } from './broker';

const logger = createLogger({ service: 'test', silent: true });

describe('subscriptions: a copy of each event for every process', () => {
  test('When two instances subscribe, then each gets every matching event and nothing else', async () => {
    const { amqpUrl } = testServers();
    const exchange = `${uniqueTestName('subscribe')}.events`;
    const instances = [0, 1].map((n) => new Broker({ url: amqpUrl, exchange, logger, name: `instance-${n}` }));
    const publisher = new Broker({ url: amqpUrl, exchange, logger, name: 'publisher' });
    const received: string[][] = [[], []];
    const subscribed = [0, 0];
    try {
      await Promise.all([...instances, publisher].map((broker) => broker.start()));
      await Promise.all(
        instances.map((broker, n) =>
          broker.subscribe({
            bindings: ['product.*'],
            handle: (message: ConsumeMessage) => received[n]!.push(message.fields.routingKey),
            onSubscribed: () => subscribed[n]!++,
          }),
        ),
      );
      await publisher.publish('product.updated', '{}', { messageId: 'a' });
      await publisher.publish('order.placed', '{}', { messageId: 'b' });
      await publisher.publish('product.deleted', '{}', { messageId: 'c' });
      await eventually(() => expect(received).toEqual([['product.updated', 'product.deleted'], ['product.updated', 'product.deleted']]));
      expect(subscribed).toEqual([1, 1]);
    } finally {
      await Promise.all([...instances, publisher].map((broker) => broker.close()));
    }
  });
});
