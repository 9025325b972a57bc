import type request from 'supertest';

/** One request of a shopper's stream: what it answered, when, and how long it took (status 0: no answer in time). */
export interface Attempt {
  step: 'cart' | 'order';
  status: number;
  code?: string;
  orderId?: string;
  startedAt: number;
  endedAt: number;
}

/** Longer than the gateway's timeout: an answer this late is a hang. */
const HANG_MS = 12_000;

async function attempt(step: Attempt['step'], send: () => request.Test): Promise<Attempt> {
  const startedAt = Date.now();
  try {
    const res = await send().timeout(HANG_MS);
    return { step, status: res.status, code: res.body?.error?.code, orderId: res.body?.orderId, startedAt, endedAt: Date.now() };
  } catch {
    return { step, status: 0, startedAt, endedAt: Date.now() };
  }
}

/** A shopper putting one unit in the cart and ordering it, again and again until told to stop, recording every answer. */
export async function orderStream(api: ReturnType<typeof request>, token: string, productId: string, running: () => boolean, log: Attempt[]): Promise<void> {
  const auth = { Authorization: `Bearer ${token}` };
  while (running()) {
    const cart = await attempt('cart', () => api.put('/cart').set(auth).send({ _id: productId, qty: 1 }));
    log.push(cart);
    if (cart.status !== 200) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      continue;
    }
    log.push(await attempt('order', () => api.post('/shopping/order').set(auth).send({})));
  }
}

/** The ids of the orders a stream got a 2xx for. */
export const answeredOrders = (log: Attempt[]): string[] => log.filter((a) => a.step === 'order' && a.status >= 200 && a.status < 300).map((a) => a.orderId!);
