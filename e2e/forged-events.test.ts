import amqp from 'amqplib';
import { createEvent, deadLetterQueueName, type ProductSnapshot } from '@shop/common';
import { eventually, testServers } from '@shop/common/testing';
import request from 'supertest';
import { startShop, testServiceBroker, type RunningShop, type ServiceBroker } from './support/shop';

/** A shop whose services each log in to RabbitMQ as their own user; someone tries to change a price by forging events. */
let shop: RunningShop;
let broker: ServiceBroker;
let api: ReturnType<typeof request>;

beforeAll(async () => {
  const given = testServiceBroker();
  if (!given) throw new Error('this suite needs the RabbitMQ node that jest starts (AMQP_URL must be unset)');
  broker = given;
  shop = await startShop('forged');
  api = request(shop.gatewayUrl);
}, 120_000);

afterAll(async () => {
  await shop?.stop();
});

interface PublicProduct extends Omit<ProductSnapshot, 'productId' | 'version'> {
  _id: string;
}

async function aProduct(): Promise<PublicProduct> {
  return ((await api.get('/').expect(200)).body.products as PublicProduct[])[0]!;
}

/** The product at a price of 0.01, as a `product.updated` that any replica would take for newer. */
function cheaper(product: PublicProduct, source: string) {
  const { _id, ...fields } = product;
  const data: ProductSnapshot = { ...fields, productId: _id, price: 0.01, version: 1_000_000 };
  return createEvent({ type: 'product.updated', data, source });
}

/** The queue's dead letters, taken off it. */
async function takeDeadLetters(service: string): Promise<Array<{ id: string }>> {
  const connection = await amqp.connect(testServers().amqpUrl);
  try {
    const channel = await connection.createChannel();
    const queue = deadLetterQueueName(`${shop.env.AMQP_QUEUE_PREFIX}${service}`);
    const found: Array<{ id: string }> = [];
    for (let message = await channel.get(queue, { noAck: true }); message; message = await channel.get(queue, { noAck: true })) {
      found.push(JSON.parse(message.content.toString('utf8')) as { id: string });
    }
    return found;
  } finally {
    await connection.close();
  }
}

async function priceInCart(productId: string): Promise<number> {
  const email = `forged-${Date.now()}@example.com`;
  const { token } = (await api.post('/customer/signup').send({ email, password: 'a good password' }).expect(201)).body;
  const line = await api
    .put('/cart')
    .set({ Authorization: `Bearer ${token}` })
    .send({ _id: productId, qty: 1 })
    .expect(200);
  return line.body.product.price as number;
}

describe('forged events', () => {
  test('When the shopping user publishes product.updated, then the broker refuses it (ACCESS_REFUSED) and the price stands', async () => {
    const product = await aProduct();
    const connection = await amqp.connect(broker.serviceUrls.shopping);
    try {
      const channel = await connection.createConfirmChannel();
      const refused = new Promise<Error>((resolve) => channel.once('error', resolve));
      channel.publish(shop.env.AMQP_EXCHANGE!, 'product.updated', Buffer.from(JSON.stringify(cheaper(product, 'products'))), { persistent: true }, () => undefined);
      expect((await refused).message).toMatch(/ACCESS_REFUSED/);
    } finally {
      await connection.close().catch(() => undefined);
    }
    expect((await api.get(`/${product._id}`).expect(200)).body.price).toBe(product.price);
    expect(await priceInCart(product._id)).toBe(product.price);
  });

  test("When a user allowed to publish product.updated sends one in shopping's name, then the consumers dead-letter it and nothing changes", async () => {
    const product = await aProduct();
    const forged = cheaper(product, 'shopping');
    const connection = await amqp.connect(broker.serviceUrls.products);
    try {
      const channel = await connection.createConfirmChannel();
      channel.publish(shop.env.AMQP_EXCHANGE!, forged.type, Buffer.from(JSON.stringify(forged)), { persistent: true });
      await channel.waitForConfirms();
    } finally {
      await connection.close();
    }
    // Both replicas follow product events: each consumer refuses the event and dead-letters it.
    for (const service of ['shopping', 'customer']) {
      const seen: string[] = [];
      await eventually(
        async () => {
          seen.push(...(await takeDeadLetters(service)).map((event) => event.id));
          expect(seen).toContain(forged.id);
        },
        20_000,
        200,
      );
    }
    expect((await api.get(`/${product._id}`).expect(200)).body.price).toBe(product.price);
    expect(await priceInCart(product._id)).toBe(product.price);
    expect(shop.output.some((line) => line.includes('event dead-lettered') && line.includes(forged.id))).toBe(true);
  });
});
