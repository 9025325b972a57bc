import {
  cartUpdatedSchema,
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
  return {
    ...catalogue.handlers(),
    [ShoppingEvents.cartUpdated]: (event) => projection.cartUpdated(cartUpdatedSchema.parse(event.data)),
    [ShoppingEvents.orderPlaced]: (event) => projection.orderPlaced(orderPlacedSchema.parse(event.data)),
    [StockEvents.stockReserved]: (event) => projection.stockReserved(stockReservedSchema.parse(event.data)),
    [StockEvents.stockRejected]: (event) => projection.stockRejected(stockRejectedSchema.parse(event.data)),
  };
}
