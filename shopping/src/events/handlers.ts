import { StockEvents, stockRejectedSchema, stockReservedSchema, type CatalogueReplica, type EventHandlers } from '@shop/common';
import type { Orders } from '../services/orders';

/** What shopping does with the events it consumes: one handler per event type. */
export function shoppingEventHandlers(orders: Orders, catalogue: CatalogueReplica): EventHandlers {
  return {
    ...catalogue.handlers(),
    [StockEvents.stockReserved]: (event) => orders.stockReserved(stockReservedSchema.parse(event.data).orderId),
    [StockEvents.stockRejected]: async (event) => {
      const { orderId, reason } = stockRejectedSchema.parse(event.data);
      await orders.stockRejected(orderId, reason);
    },
  };
}
