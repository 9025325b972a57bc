import amqp from 'amqplib';
import { deadLetterQueueName } from '../kit/broker/broker';

export interface DeadLetter {
  body: string;
  headers: Record<string, unknown>;
}

/** Takes every message from a consumer queue's dead-letter queue and returns them: bodies and headers. */
export async function takeDeadLetterMessages(amqpUrl: string, queue: string): Promise<DeadLetter[]> {
  const connection = await amqp.connect(amqpUrl);
  try {
    const channel = await connection.createChannel();
    const messages: DeadLetter[] = [];
    for (let message = await channel.get(deadLetterQueueName(queue)); message; message = await channel.get(deadLetterQueueName(queue))) {
      messages.push({ body: message.content.toString('utf8'), headers: (message.properties.headers ?? {}) as Record<string, unknown> });
      channel.ack(message);
    }
    return messages;
  } finally {
    await connection.close();
  }
}

/** Takes every message from a consumer queue's dead-letter queue and returns their bodies. */
export async function takeDeadLetters(amqpUrl: string, queue: string): Promise<string[]> {
  return (await takeDeadLetterMessages(amqpUrl, queue)).map(({ body }) => body);
}
