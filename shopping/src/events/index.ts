import {
  idempotentHandler,
  keyedHandler,
  StockEvents,
  stockRejectedSchema,
  stockReleasedSchema,
  stockReservedSchema,
  type CatalogueReplica,
  type EventEnvelope,
  type EventHandler,
  type EventHandlers,
} from '@shop/common';
import type { Orders } from '../services/orders';

/** What shopping does with the events it consumes: one handler per event type. */
export function shoppingEventHandlers(orders: Orders, catalogue: CatalogueReplica): EventHandlers {
  // Each moves one order with a guarded update: idempotent by the order's status, whatever the order of the events.
  const orderMove = (apply: (event: EventEnvelope) => Promise<void>): EventHandler =>
    idempotentHandler(keyedHandler((event) => `order:${String((event.data as { orderId?: unknown }).orderId)}`, apply));
  return {
    ...catalogue.handlers(),
    [StockEvents.stockReserved]: orderMove((event) => orders.applyStockEvent(StockEvents.stockReserved, stockReservedSchema.parse(event.data).orderId)),
    [StockEvents.stockRejected]: orderMove((event) => {
      const { orderId, reason } = stockRejectedSchema.parse(event.data);
      return orders.applyStockEvent(StockEvents.stockRejected, orderId, reason);
    }),
    [StockEvents.stockReleased]: orderMove((event) => orders.applyStockEvent(StockEvents.stockReleased, stockReleasedSchema.parse(event.data).orderId)),
  };
}
