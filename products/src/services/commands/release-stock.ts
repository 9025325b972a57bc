import type { OrderCancelled } from '@shop/common';
import type { StockReservation } from '../../database/models/stock-reservation';
import { demandOf, stepOnCancelled } from '../../domain/stock';
import type { StockContext } from '../context';
import { announceChangedWith } from './announce-product';
import { ChangedProducts, moveOrRetry, releasedEvent, settleMarks } from './stock-steps';

/** The compensation of a cancelled order: it gives back what the order took, exactly once, and announces stock.released. */
export async function releaseStock(context: StockContext, cancelled: OrderCancelled, correlationId?: string): Promise<void> {
  const stored = await context.reservations.findByOrderId(cancelled.orderId);
  const changed = new ChangedProducts();
  if (stored) await release(context, stored, changed);
  else await recordRelease(context, cancelled);
  await announceChangedWith(context, changed.all(), releasedEvent(cancelled, correlationId), correlationId);
}

async function release(context: StockContext, reservation: StockReservation, changed: ChangedProducts): Promise<void> {
  const step = stepOnCancelled(reservation.status);
  if (step === 'return-all-lines') {
    for (const line of reservation.lines) changed.add(await context.products.returnReservedLine(reservation._id, line));
  }
  if (step !== 'repeat-release') await moveOrRetry(context, reservation, 'released');
  await settleMarks(context, reservation, 'released', changed);
}

/** No reservation yet: one recorded as released keeps the order, if it comes, from taking stock. */
async function recordRelease({ reservations }: StockContext, cancelled: OrderCancelled): Promise<void> {
  const release = { _id: cancelled.orderId, customerId: cancelled.customerId, lines: demandOf(cancelled.items), status: 'released' as const, createdAt: new Date() };
  // Lost to an order.placed stored meanwhile: the retry sees its reservation.
  if (!(await reservations.insert(release))) throw new Error(`order ${cancelled.orderId} got a reservation meanwhile; retrying`);
}
