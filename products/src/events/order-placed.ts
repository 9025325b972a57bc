import { idempotentHandler, keyedHandler, orderPlacedSchema, type EventHandler } from '@shop/common';
import { reserveStock } from '../services/commands/reserve-stock';
import type { StockContext } from '../services/context';
import { byOrder } from './by-order';

/** order.placed: reserve the order's stock. Its reservation and the marks on its products make this idempotent by itself. */
export const onOrderPlaced = (context: StockContext): EventHandler =>
  keyedHandler(
    byOrder,
    idempotentHandler(async (event) => {
      await reserveStock(context, orderPlacedSchema.parse(event.data), event.correlationId);
    }),
  );
