import amqp from 'amqplib';
import { deadLetterQueueName } from '../broker/broker';

/** Takes every message from a consumer queue's dead-letter queue and returns their bodies. */
export async function takeDeadLetters(amqpUrl: string, queue: string): Promise<string[]> {
  const connection = await amqp.connect(amqpUrl);
  try {
    const channel = await connection.createChannel();
    const bodies: string[] = [];
    for (let message = await channel.get(deadLetterQueueName(queue)); message; message = await channel.get(deadLetterQueueName(queue))) {
      bodies.push(message.content.toString('utf8'));
      channel.ack(message);
    }
    return bodies;
  } finally {
    await connection.close();
  }
}
