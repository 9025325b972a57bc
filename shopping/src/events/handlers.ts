import { groupedHandler, ShoppingEvents, StockEvents, type CatalogueReplica, type EventHandlers } from '@shop/common';
import type { Orders } from '../services/orders';

/** What shopping does with the events it consumes: one handler per event type. */
export function shoppingEventHandlers(orders: Orders, catalogue: CatalogueReplica): EventHandlers {
  // A customer's order history has one writer, this consumer: its own order.placed and the stock
  // verdicts of one customer are applied together, in order, idempotent by the history itself.
  const history = groupedHandler({
    key: (event) => `order-history:${String((event.data as { customerId?: unknown }).customerId)}`,
    apply: (events) => orders.applyToHistory(events),
  });
  return {
    ...catalogue.handlers(),
    [ShoppingEvents.orderPlaced]: history,
    [StockEvents.stockReserved]: history,
    [StockEvents.stockRejected]: history,
  };
}
