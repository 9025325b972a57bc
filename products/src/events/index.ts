import { CatalogueEvents, ShoppingEvents, type EventHandlers } from '@shop/common';
import type { StockContext } from '../services/context';
import { onCatalogueSyncRequested } from './catalogue-sync-requested';
import { onOrderCancelled } from './order-cancelled';
import { onOrderPlaced } from './order-placed';

/** What products does with the events it consumes from its queue: one handler per event type. */
export function productsEventHandlers(context: StockContext): EventHandlers {
  return {
    [ShoppingEvents.orderPlaced]: onOrderPlaced(context),
    [ShoppingEvents.orderCancelled]: onOrderCancelled(context),
    [CatalogueEvents.syncRequested]: onCatalogueSyncRequested(context),
  };
}
