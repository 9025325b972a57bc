import { createEvent, currentRequestId } from '@shop/common';
import type { ProfilesContext } from '../context';

/** Puts a wishlist event in the outbox (written after the wishlist change, not with it). */
export async function announceWishlistChange({ outbox }: ProfilesContext, type: string, customerId: string, productId: string): Promise<void> {
  await outbox.add(createEvent({ type, data: { customerId, productId }, source: 'customer', correlationId: currentRequestId() }));
}
