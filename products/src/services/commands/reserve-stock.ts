import { createEvent, orderEventId, StockEvents, type EventEnvelope, type OrderPlaced } from '@shop/common';
import type { StockReservation } from '../../database/models/stock-reservation';
import { demandOf, refusal, type StockLine, type Verdict } from '../../domain/stock';
import type { StockContext } from '../context';
import { announceChangedWith } from './announce-product';
import { ChangedProducts, moveOrRetry, releasedEvent, settleMarks } from './stock-steps';

/**
 * The stock step of a placed order: it takes the stock of every line or of none, and announces
 * the verdict. A redelivery repeats the stored verdict; an order cancelled first takes nothing.
 */
export async function reserveStock(context: StockContext, order: OrderPlaced, correlationId?: string): Promise<void> {
  const reservation = await context.reservations.open({ _id: order.orderId, customerId: order.customerId, lines: demandOf(order.items), status: 'pending', createdAt: new Date() });
  const changed = new ChangedProducts();
  // Undecided (a first delivery, or one a crash interrupted): take the stock. Else the stored status stands.
  const { status, reason } = reservation.status === 'pending' ? await decide(context, reservation, changed) : { status: reservation.status, reason: reservation.reason };
  await settleMarks(context, reservation, status, changed);
  const outcome = status === 'released' ? releasedEvent(order, correlationId) : verdictEvent(order, status, reason, correlationId);
  await announceChangedWith(context, changed.all(), outcome, correlationId);
}

/** Takes the lines one by one; at the first that cannot be taken, the order is rejected. */
async function decide(context: StockContext, reservation: StockReservation, changed: ChangedProducts): Promise<{ status: Verdict; reason?: string }> {
  for (const line of reservation.lines) {
    const reason = await takeLine(context, reservation._id, line, changed);
    if (reason !== undefined) {
      await moveOrRetry(context, reservation, 'rejected', reason);
      return { status: 'rejected', reason };
    }
  }
  await moveOrRetry(context, reservation, 'reserved');
  return { status: 'reserved' };
}

/** Takes one line for the order: undefined once it is taken (now or by an earlier delivery), else why not. */
async function takeLine({ products }: StockContext, orderId: string, line: StockLine, changed: ChangedProducts): Promise<string | undefined> {
  const taken = await products.takeLine(orderId, line);
  changed.add(taken);
  return taken ? undefined : refusal(orderId, line, await products.findById(line.productId));
}

function verdictEvent({ orderId, customerId }: OrderPlaced, verdict: Verdict, reason: string | undefined, correlationId?: string): EventEnvelope {
  const [type, data] =
    verdict === 'reserved' ? [StockEvents.stockReserved, { orderId, customerId }] : [StockEvents.stockRejected, { orderId, customerId, reason: reason ?? 'rejected' }];
  return createEvent({ type, id: orderEventId(type, orderId), data, source: 'products', correlationId });
}
