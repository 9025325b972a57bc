import { createEvent, orderEventId, StockEvents, type EventEnvelope } from '@shop/common';
import type { Product } from '../../database/models/product';
import type { StockReservation } from '../../database/models/stock-reservation';
import { keepsMarkedStock, type SettledStatus } from '../../domain/stock';
import type { StockContext } from '../context';

/*
 * The steps that reserving and releasing stock share. Every write is a guarded single-document
 * update, so orders race safely for the same stock, and a redelivery (or a crash at any point)
 * changes nothing twice. A reservation's status is stored before the marks on its products are
 * cleared, so a redelivery after that is decided by the reservation, never by a missing mark.
 */

/** The products whose stock a step changed, each at its latest version: what the catalogue announces. */
export class ChangedProducts {
  private readonly latest = new Map<string, Product>();

  add(product: Product | null): void {
    if (!product) return;
    const id = product._id.toString();
    if ((this.latest.get(id)?.version ?? 0) < product.version) this.latest.set(id, product);
  }

  all(): Product[] {
    return [...this.latest.values()];
  }
}

/** A status move that finds another status was made by a concurrent delivery: the retry follows that one. */
export async function moveOrRetry({ reservations }: StockContext, reservation: StockReservation, to: SettledStatus, reason?: string): Promise<void> {
  if (!(await reservations.move(reservation._id, reservation.status, to, reason))) {
    throw new Error(`the reservation of order ${reservation._id} moved from ${reservation.status} meanwhile; retrying`);
  }
}

/**
 * Clears the order's marks once its status is stored: a reserved order keeps the marked stock,
 * any other gives it back (lines taken before the order was rejected or cancelled).
 */
export async function settleMarks({ products }: StockContext, reservation: StockReservation, status: SettledStatus, changed: ChangedProducts): Promise<void> {
  const orderId = reservation._id;
  await Promise.all(
    reservation.lines.map(async (line) => {
      if (keepsMarkedStock(status)) return products.clearMark('reservedFor', orderId, line.productId);
      changed.add(await products.giveBackLine(orderId, line));
      if (status === 'released') await products.clearMark('releasedFor', orderId, line.productId);
    }),
  );
}

/** stock.released for an order, announced with the products its release gave back. */
export function releasedEvent({ orderId, customerId }: { orderId: string; customerId: string }, correlationId?: string): EventEnvelope {
  const type = StockEvents.stockReleased;
  return createEvent({ type, id: orderEventId(type, orderId), data: { orderId, customerId }, source: 'products', correlationId });
}
