import { idempotentHandler, StockEvents, stockRejectedSchema, stockReservedSchema, type CatalogueReplica, type EventHandlers } from '@shop/common';
import type { Orders } from '../services/orders';

/** What shopping does with the events it consumes: one handler per event type. */
export function shoppingEventHandlers(orders: Orders, catalogue: CatalogueReplica): EventHandlers {
  // A status moves only from `received`: a second delivery finds it moved and changes nothing.
  return {
    ...catalogue.handlers(),
    [StockEvents.stockReserved]: idempotentHandler((event) => orders.stockReserved(stockReservedSchema.parse(event.data).orderId)),
    [StockEvents.stockRejected]: idempotentHandler(async (event) => {
      const { orderId, reason } = stockRejectedSchema.parse(event.data);
      await orders.stockRejected(orderId, reason);
    }),
  };
}
