import { mayPublish } from '@shop/common/contracts';
import { randomUUID } from 'node:crypto';
import { runService, startPeriodic, type Logger, type RunningService } from '@shop/common';
import { productRoutes } from './api/routes';
import type { ProductsConfig } from './config';
import { ProductRepository } from './database/product-repository';
import { StockReservationRepository } from './database/stock-reservation-repository';
import { followCatalogueEvents } from './events/catalogue-subscription';
import { productsEventHandlers } from './events';
import { announceCatalogue } from './services/commands/announce-catalogue';
import { announcePendingProducts } from './services/commands/announce-pending-products';
import { seedCatalogueIfEmpty } from './services/commands/seed-catalogue';
import type { StockContext } from './services/context';
import { CatalogueQueries } from './services/queries/catalogue-queries';

// The catch-up announces what a crash or a database outage cut off between a change and its event
// (an indexed look-up of the few unannounced products): often, so the replicas are not left
// behind for long.
const ANNOUNCE_PENDING_EVERY_MS = 10_000;

export type ProductsService = RunningService<ProductsConfig['extra']>;

/** Wires the products service: repositories → use cases → routes and event handlers. */
export function startProductsService(config: ProductsConfig, { handleSignals = true, logger }: { handleSignals?: boolean; logger?: Logger } = {}): Promise<ProductsService> {
  return runService({
    config,
    mayPublish,
    handleSignals,
    logger,
    build: async ({ connection, broker, outbox, logger }) => {
      const products = new ProductRepository(connection);
      const queries = new CatalogueQueries(products);
      const context: StockContext = { products, outbox, queries, reservations: new StockReservationRepository(connection) };
      await followCatalogueEvents(broker, queries, logger);
      let seeded = 0;
      return {
        routes: productRoutes({ queries, commands: context, tokens: config.tokens }),
        handlers: productsEventHandlers(context),
        // The sample catalogue is there for the first request.
        beforeListen: async () => {
          seeded = config.extra.SEED_CATALOGUE ? await seedCatalogueIfEmpty(context) : 0;
          if (seeded > 0) logger.info('sample catalogue loaded', { products: seeded });
        },
        afterStart: async () => {
          startPeriodic('announcing catalogue changes', () => announcePendingProducts(context), ANNOUNCE_PENDING_EVERY_MS, logger);
          // A replica's request for the catalogue published before this service's queue existed (a
          // new broker) never arrives; the replica's queue exists by then, so this reaches it.
          // A catalogue just seeded was announced product by product already.
          if (seeded === 0) await announceCatalogue(context, `start:${randomUUID()}`);
        },
      };
    },
  });
}
