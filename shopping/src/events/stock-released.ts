import { StockEvents, stockReleasedSchema, type EventHandler } from '@shop/common';
import type { OrdersContext } from '../services/context';
import { moveOrderStatus } from '../services/commands/move-order-status';
import { orderMove } from './by-order';

/** stock.released: a cancelled order's stock is back, so the order is cancelled. */
export const onStockReleased = (context: OrdersContext): EventHandler =>
  orderMove((event) => moveOrderStatus(context, StockEvents.stockReleased, stockReleasedSchema.parse(event.data).orderId));
