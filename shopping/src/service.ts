import { mayPublish } from '@shop/common/contracts';
import { CatalogueReplica, runService, startPeriodic, type RunningService } from '@shop/common';
import { shoppingRoutes } from './api/routes';
import type { ShoppingConfig } from './config';
import { CartRepository } from './database/cart-repository';
import { OrderRepository } from './database/order-repository';
import { shoppingEventHandlers } from './events';
import { announcePendingCarts } from './services/commands/announce-pending-carts';
import { announcePendingOrders } from './services/commands/announce-pending-orders';
import type { OrdersContext } from './services/context';

// The catch-up announces what a crash or a database outage cut off between a change and its event
// (an indexed look-up of the few unannounced documents): often, so such an order is not left
// waiting long.
const ANNOUNCE_PENDING_EVERY_MS = 10_000;

export type ShoppingService = RunningService<ShoppingConfig['extra']>;

/** Wires the shopping service: repositories → use cases → routes and event handlers. */
export function startShoppingService(config: ShoppingConfig, { handleSignals = true } = {}): Promise<ShoppingService> {
  return runService({
    config,
    mayPublish,
    handleSignals,
    build: ({ connection, outbox, logger }) => {
      const context: OrdersContext = {
        carts: new CartRepository(connection),
        orders: new OrderRepository(connection),
        catalogue: new CatalogueReplica(connection),
        outbox,
      };
      return {
        routes: shoppingRoutes({ carts: context, orders: context, tokens: config.tokens }),
        handlers: shoppingEventHandlers(context),
        afterStart: async () => {
          await context.catalogue.requestSync(outbox, 'shopping');
          startPeriodic('announcing orders', () => announcePendingOrders(context), ANNOUNCE_PENDING_EVERY_MS, logger);
          startPeriodic('announcing carts', () => announcePendingCarts(context), ANNOUNCE_PENDING_EVERY_MS, logger);
        },
      };
    },
  });
}
