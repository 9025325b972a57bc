import { CatalogueEvents } from './catalogue-events';
import { ShoppingEvents, StockEvents, WishlistEvents } from './shopping-events';

export type PublishingService = 'customer' | 'products' | 'shopping';

/**
 * Who may publish what: the one table behind each service's broker permissions (its user may
 * publish only these routing keys) and behind the consumers' check of an event's `source`.
 */
export const EVENT_PUBLISHERS: Readonly<Record<PublishingService, readonly string[]>> = {
  customer: [WishlistEvents.itemAdded, WishlistEvents.itemRemoved, CatalogueEvents.syncRequested],
  products: [
    CatalogueEvents.productCreated,
    CatalogueEvents.productUpdated,
    CatalogueEvents.productDeleted,
    StockEvents.stockReserved,
    StockEvents.stockRejected,
    StockEvents.stockReleased,
  ],
  shopping: [ShoppingEvents.cartUpdated, ShoppingEvents.orderPlaced, ShoppingEvents.orderCancelled, CatalogueEvents.syncRequested],
};

/** True when the table lets `source` send events of `type`. */
export function mayPublish(source: string, type: string): boolean {
  return Object.hasOwn(EVENT_PUBLISHERS, source) && EVENT_PUBLISHERS[source as PublishingService].includes(type);
}

/** The services allowed to send events of `type`. */
export function publishersOf(type: string): PublishingService[] {
  return (Object.keys(EVENT_PUBLISHERS) as PublishingService[]).filter((service) => EVENT_PUBLISHERS[service].includes(type));
}
