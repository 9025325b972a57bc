import { CatalogueReplica, runService, startPeriodic, type RunningService } from '@shop/common';
import { shoppingRoutes } from './api/routes';
import type { ShoppingConfig } from './config';
import { CartRepository } from './database/cart-repository';
import { OrderRepository } from './database/order-repository';
import { shoppingEventHandlers } from './events/handlers';
import { Carts } from './services/carts';
import { Orders } from './services/orders';

// The catch-up announces what a crash or a database outage cut off between a change and its event
// (an indexed look-up of the few unannounced documents): often, so such an order is not left
// waiting long.
const ANNOUNCE_PENDING_EVERY_MS = 10_000;

export type ShoppingService = RunningService<ShoppingConfig['extra']>;

/** Wires the shopping service: repositories → services → routes and event handlers. */
export function startShoppingService(config: ShoppingConfig, { handleSignals = true } = {}): Promise<ShoppingService> {
  return runService({
    config,
    handleSignals,
    build: ({ connection, outbox, logger }) => {
      const carts = new CartRepository(connection);
      const catalogue = new CatalogueReplica(connection);
      const orders = new Orders(new OrderRepository(connection), carts, catalogue, outbox);
      const cartService = new Carts(carts, catalogue, outbox);
      return {
        routes: shoppingRoutes({ carts: cartService, orders, tokens: config.tokens }),
        handlers: shoppingEventHandlers(orders, catalogue),
        afterStart: async () => {
          await catalogue.requestSync(outbox, 'shopping');
          startPeriodic('announcing orders', () => orders.announcePending(), ANNOUNCE_PENDING_EVERY_MS, logger);
          startPeriodic('announcing carts', () => cartService.announcePending(), ANNOUNCE_PENDING_EVERY_MS, logger);
        },
      };
    },
  });
}
