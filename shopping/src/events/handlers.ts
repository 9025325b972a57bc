import { idempotentHandler, StockEvents, stockRejectedSchema, stockReservedSchema, type CatalogueReplica, type EventHandlers } from '@shop/common';
import type { Orders } from '../services/orders';

/** What shopping does with the events it consumes: one handler per event type. */
export function shoppingEventHandlers(orders: Orders, catalogue: CatalogueReplica): EventHandlers {
  // A verdict is an insert keyed by order id: a second delivery is a duplicate key and changes nothing.
  return {
    ...catalogue.handlers(),
    [StockEvents.stockReserved]: idempotentHandler((event) => orders.stockReserved(stockReservedSchema.parse(event.data).orderId)),
    [StockEvents.stockRejected]: idempotentHandler(async (event) => {
      const { orderId, reason } = stockRejectedSchema.parse(event.data);
      await orders.stockRejected(orderId, reason);
    }),
  };
}
