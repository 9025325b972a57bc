import { CatalogueEvents, idempotentHandler, orderPlacedSchema, ShoppingEvents, type EventHandlers } from '@shop/common';
import type { CatalogueCommands } from '../services/catalogue-commands';
import type { StockReservations } from '../services/stock-reservations';

export interface ProductsHandlersDependencies {
  commands: CatalogueCommands;
  stock: StockReservations;
}

/** What products does with the events it consumes: one handler per event type. */
export function productsEventHandlers({ commands, stock }: ProductsHandlersDependencies): EventHandlers {
  return {
    // Idempotent by its own records (the order's reservation, each product's reservedFor), so the
    // consumer skips processed_events: on FerretDB its look-up of a new event id reads every record.
    [ShoppingEvents.orderPlaced]: idempotentHandler(async (event) => {
      await stock.reserveForOrder(orderPlacedSchema.parse(event.data), event.correlationId);
    }),
    // A replica that starts empty asks for the catalogue; announcing it again is harmless to the rest.
    [CatalogueEvents.syncRequested]: async (event) => {
      await commands.announceAllFor(event.id, event.correlationId);
    },
  };
}
