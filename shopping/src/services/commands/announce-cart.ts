import { createEvent, currentRequestId, ShoppingEvents, type CartUpdated, type EventEnvelope, type Line, type Outbox } from '@shop/common';
import type { CartRepository, CartState } from '../database/cart-repository';

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

/**
 * Puts the cart's cart.updated in the outbox and marks that version announced. Concurrent changes
 * each announce their own version; consumers keep the newest.
 */
export async function announceCart(outbox: Outbox, carts: CartRepository, cart: CartState): Promise<void> {
  await outbox.add(cartUpdatedEvent(cart.customerId, cart.items, cart.version));
  await carts.markAnnounced(cart.customerId, cart.version);
}
