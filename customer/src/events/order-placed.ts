import { ShoppingEvents, orderPlacedSchema } from '@shop/common';
import type { ViewEvent } from './view-event';

/** order.placed: the order enters the view, once. */
export const orderPlaced: ViewEvent = { type: ShoppingEvents.orderPlaced, toChange: (data) => ({ kind: 'order-placed', change: orderPlacedSchema.parse(data) }) };
