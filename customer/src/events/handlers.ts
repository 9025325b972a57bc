import {
  cartUpdatedSchema,
  idempotentHandler,
  orderPlacedSchema,
  ShoppingEvents,
  StockEvents,
  stockRejectedSchema,
  stockReservedSchema,
  type CatalogueReplica,
  type EventHandlers,
} from '@shop/common';
import type { CustomerViewProjection } from '../services/customer-view-projection';

/** What customer does with the events it consumes: one handler per event type. */
export function customerEventHandlers(projection: CustomerViewProjection, catalogue: CatalogueReplica): EventHandlers {
  // The projection is idempotent by the view's own state (see CustomerViewProjection).
  return {
    ...catalogue.handlers(),
    [ShoppingEvents.cartUpdated]: idempotentHandler((event) => projection.cartUpdated(cartUpdatedSchema.parse(event.data))),
    [ShoppingEvents.orderPlaced]: idempotentHandler((event) => projection.orderPlaced(orderPlacedSchema.parse(event.data))),
    [StockEvents.stockReserved]: idempotentHandler((event) => projection.stockReserved(stockReservedSchema.parse(event.data))),
    [StockEvents.stockRejected]: idempotentHandler((event) => projection.stockRejected(stockRejectedSchema.parse(event.data))),
  };
}
