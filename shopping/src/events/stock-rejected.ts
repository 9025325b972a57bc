import { StockEvents, stockRejectedSchema, type EventHandler } from '@shop/common';
import type { OrdersContext } from '../services/context';
import { moveOrderStatus } from '../services/commands/move-order-status';
import { orderMove } from './by-order';

/** stock.rejected: the order is rejected with the reason, unless a cancel or a verdict came first. */
export const onStockRejected = (context: OrdersContext): EventHandler =>
  orderMove((event) => {
    const { orderId, reason } = stockRejectedSchema.parse(event.data);
    return moveOrderStatus(context, StockEvents.stockRejected, orderId, reason);
  });
