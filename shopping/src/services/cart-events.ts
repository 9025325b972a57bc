import { createEvent, currentRequestId, ShoppingEvents, type CartUpdated, type EventEnvelope, type Line, type Outbox } from '@shop/common';
import type { CartRepository } from '../database/cart-repository';

/** cart.updated carries the whole cart; its id names the version, so a re-send is one event. */
export function cartUpdatedEvent(customerId: string, items: Line[], version: number): EventEnvelope<CartUpdated> {
  return createEvent({
    type: ShoppingEvents.cartUpdated,
    id: `${ShoppingEvents.cartUpdated}:${customerId}:${version}`,
    data: { customerId, items, version },
    source: 'shopping',
    correlationId: currentRequestId(),
  });
}

/** Puts the cart's event in the outbox, then clears the cart's duty to announce that version. */
export async function announceCart(outbox: Outbox, carts: CartRepository, customerId: string, items: Line[], version: number): Promise<void> {
  await outbox.add(cartUpdatedEvent(customerId, items, version));
  await carts.markAnnounced(customerId, version);
}
