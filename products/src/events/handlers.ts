import { CatalogueEvents, idempotentHandler, orderCancelledSchema, orderPlacedSchema, ShoppingEvents, type EventHandlers } from '@shop/common';
import type { CatalogueCommands } from '../services/catalogue-commands';
import type { StockReservations } from '../services/stock-reservations';

export interface ProductsHandlersDependencies {
  commands: CatalogueCommands;
  stock: StockReservations;
}

/** What products does with the events it consumes: one handler per event type. */
export function productsEventHandlers({ commands, stock }: ProductsHandlersDependencies): EventHandlers {
  return {
    // The order's reservation and the marks on its products make these idempotent by themselves.
    [ShoppingEvents.orderPlaced]: idempotentHandler(async (event) => {
      await stock.reserveForOrder(orderPlacedSchema.parse(event.data), event.correlationId);
    }),
    [ShoppingEvents.orderCancelled]: idempotentHandler(async (event) => {
      await stock.releaseForOrder(orderCancelledSchema.parse(event.data), event.correlationId);
    }),
    // A replica that starts empty asks for the catalogue; announcing it again is harmless to the rest.
    [CatalogueEvents.syncRequested]: async (event) => {
      await commands.announceAllFor(event.id, event.correlationId);
    },
  };
}
