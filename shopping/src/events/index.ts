import { StockEvents, type EventHandlers } from '@shop/common';
import type { OrdersContext } from '../services/context';
import { onStockRejected } from './stock-rejected';
import { onStockReleased } from './stock-released';
import { onStockReserved } from './stock-reserved';

/** What shopping does with the events it consumes: the catalogue's keep its replica current, the stock verdicts move orders. */
export function shoppingEventHandlers(context: OrdersContext): EventHandlers {
  return {
    ...context.catalogue.handlers(),
    [StockEvents.stockReserved]: onStockReserved(context),
    [StockEvents.stockRejected]: onStockRejected(context),
    [StockEvents.stockReleased]: onStockReleased(context),
  };
}
