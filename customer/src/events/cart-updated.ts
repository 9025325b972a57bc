import { ShoppingEvents, cartUpdatedSchema } from '@shop/common';
import type { ViewEvent } from './view-event';

/** cart.updated: the view shows the newest cart. */
export const cartUpdated: ViewEvent = { type: ShoppingEvents.cartUpdated, toChange: (data) => ({ kind: 'cart-updated', change: cartUpdatedSchema.parse(data) }) };
