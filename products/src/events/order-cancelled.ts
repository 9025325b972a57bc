import { idempotentHandler, keyedHandler, orderCancelledSchema, type EventHandler } from '@shop/common';
import { releaseStock } from '../services/commands/release-stock';
import type { StockContext } from '../services/context';
import { byOrder } from './by-order';

/** order.cancelled: give the order's stock back, once. */
export const onOrderCancelled = (context: StockContext): EventHandler =>
  keyedHandler(
    byOrder,
    idempotentHandler(async (event) => {
      await releaseStock(context, orderCancelledSchema.parse(event.data), event.correlationId);
    }),
  );
