import {
  cartUpdatedSchema,
  groupedHandler,
  orderCancelledSchema,
  orderPlacedSchema,
  ShoppingEvents,
  StockEvents,
  stockRejectedSchema,
  stockReleasedSchema,
  stockReservedSchema,
  type CatalogueReplica,
  type EventEnvelope,
  type EventHandlers,
} from '@shop/common';
import type { CustomerViewProjection, ViewChange } from '../services/customer-view-projection';

const viewChanges: Record<string, (data: unknown) => ViewChange> = {
  [ShoppingEvents.cartUpdated]: (data) => ({ kind: 'cart-updated', change: cartUpdatedSchema.parse(data) }),
  [ShoppingEvents.orderPlaced]: (data) => ({ kind: 'order-placed', change: orderPlacedSchema.parse(data) }),
  [StockEvents.stockReserved]: (data) => ({ kind: 'stock-reserved', change: stockReservedSchema.parse(data) }),
  [StockEvents.stockRejected]: (data) => ({ kind: 'stock-rejected', change: stockRejectedSchema.parse(data) }),
  [ShoppingEvents.orderCancelled]: (data) => ({ kind: 'order-cancelled', change: orderCancelledSchema.parse(data) }),
  [StockEvents.stockReleased]: (data) => ({ kind: 'stock-released', change: stockReleasedSchema.parse(data) }),
};

function viewChange(event: EventEnvelope): ViewChange {
  const parse = viewChanges[event.type];
  if (!parse) throw new Error(`${event.type} does not change the customer view`);
  return parse(event.data);
}

/** What customer does with the events it consumes: one handler per event type. */
export function customerEventHandlers(projection: CustomerViewProjection, catalogue: CatalogueReplica): EventHandlers {
  // A customer's events of one batch change the view with one read and one write; the projection
  // is idempotent by the view's own state (see CustomerViewProjection).
  const customerView = groupedHandler({
    key: (event) => `customer-view:${viewChange(event).change.customerId}`,
    apply: async (events) => {
      const changes = events.map(viewChange);
      await projection.apply(changes[0]!.change.customerId, changes);
    },
  });
  return {
    ...catalogue.handlers(),
    ...Object.fromEntries(Object.keys(viewChanges).map((type) => [type, customerView])),
  };
}
