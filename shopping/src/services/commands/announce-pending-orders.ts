import type { OrdersContext } from '../context';
import { announceOrder, PLACEMENT_GRACE_MS } from './announce-order';

/** Announces orders whose events a crash kept from the outbox (at start and periodically). */
export async function announcePendingOrders(context: OrdersContext, graceMs = PLACEMENT_GRACE_MS): Promise<number> {
  const due = await context.orders.findUnannouncedBefore(new Date(Date.now() - graceMs));
  for (const order of due) await announceOrder(context, order, { fresh: false });
  return due.length;
}
