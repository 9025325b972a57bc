import { createEvent, currentRequestId, ShoppingEvents, type CartUpdated, type EventEnvelope, type Line } from '@shop/common';

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
