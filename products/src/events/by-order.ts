import { orderCancelledSchema, type EventKey } from '@shop/common';

/**
 * Within a batch, one order's placed and cancelled are applied in the order they came and
 * different orders side by side; another instance may apply the same order meanwhile, which the
 * guarded writes of the stock step allow.
 */
export const byOrder: EventKey = (event) => `order:${orderCancelledSchema.pick({ orderId: true }).parse(event.data).orderId}`;
