import { ShoppingEvents, orderCancelledSchema } from '@shop/common';
import type { ViewEvent } from './view-event';

/** order.cancelled: the order is cancelling until its stock is back. */
export const orderCancelled: ViewEvent = { type: ShoppingEvents.orderCancelled, toChange: (data) => ({ kind: 'order-cancelled', change: orderCancelledSchema.parse(data) }) };
