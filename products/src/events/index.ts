import { CatalogueEvents, idempotentHandler, keyedHandler, orderCancelledSchema, orderPlacedSchema, ShoppingEvents, type EventHandlers, type EventKey } from '@shop/common';
import type { CatalogueCommands } from '../services/catalogue-commands';
import type { StockReservations } from '../services/stock-reservations';

export interface ProductsHandlersDependencies {
  commands: CatalogueCommands;
  stock: StockReservations;
}

/**
 * Within a batch, one order's placed and cancelled are applied in the order they came and
 * different orders side by side; another instance may apply the same order meanwhile, which the
 * guarded writes of StockReservations allow.
 */
const byOrder: EventKey = (event) => `order:${orderCancelledSchema.pick({ orderId: true }).parse(event.data).orderId}`;

/** What products does with the events it consumes: one handler per event type. */
export function productsEventHandlers({ commands, stock }: ProductsHandlersDependencies): EventHandlers {
  return {
    // The order's reservation and the marks on its products make these idempotent by themselves.
    [ShoppingEvents.orderPlaced]: keyedHandler(
      byOrder,
      idempotentHandler(async (event) => {
        await stock.reserveForOrder(orderPlacedSchema.parse(event.data), event.correlationId);
      }),
    ),
    [ShoppingEvents.orderCancelled]: keyedHandler(
      byOrder,
      idempotentHandler(async (event) => {
        await stock.releaseForOrder(orderCancelledSchema.parse(event.data), event.correlationId);
      }),
    ),
    // A replica that starts empty asks for the catalogue; announcing it again is harmless to the rest.
    [CatalogueEvents.syncRequested]: async (event) => {
      await commands.announceAllFor(event.id, event.correlationId);
    },
  };
}
