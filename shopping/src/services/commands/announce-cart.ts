import { cartUpdatedEventId, createEvent, currentRequestId, ShoppingEvents, type CartUpdated, type EventEnvelope, type Line } from '@shop/common';
import type { CartState } from '../../database/cart-repository';
import type { CartsContext } from '../context';

/** cart.updated carries the whole cart at a version. */
export function cartUpdatedEvent(customerId: string, items: Line[], version: number): EventEnvelope<CartUpdated> {
  return createEvent({
    type: ShoppingEvents.cartUpdated,
    id: cartUpdatedEventId(customerId, version),
    data: { customerId, items, version },
    source: 'shopping',
    correlationId: currentRequestId(),
  });
}

/**
 * Sends the cart's cart.updated and marks that version announced. Concurrent changes each
 * announce their own version; consumers keep the newest.
 */
export async function announceCart({ outbox, carts }: Pick<CartsContext, 'outbox' | 'carts'>, cart: CartState): Promise<void> {
  await outbox.send(cartUpdatedEvent(cart.customerId, cart.items, cart.version));
  carts.markAnnounced(cart.customerId, cart.version);
}
