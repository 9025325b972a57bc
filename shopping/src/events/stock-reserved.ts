import { StockEvents, stockReservedSchema, type EventHandler } from '@shop/common';
import type { OrdersContext } from '../services/context';
import { moveOrderStatus } from '../services/commands/move-order-status';
import { orderMove } from './by-order';

/** stock.reserved: the order is confirmed, unless a cancel or a verdict came first. */
export const onStockReserved = (context: OrdersContext): EventHandler =>
  orderMove((event) => moveOrderStatus(context, StockEvents.stockReserved, stockReservedSchema.parse(event.data).orderId));
