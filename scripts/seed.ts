/**
 * `npm run seed`: loads the sample catalogue into an empty products database. Uses MONGO_URL when
 * set; otherwise the local FerretDB of `npm start` (run it while the shop is stopped). The events
 * announcing the products wait in the products outbox; the products service relays them when it runs.
 */
import path from 'node:path';
import { Broker, connectDatabase, createLogger, loadEnvFiles, Outbox } from '@shop/common';
import { ProductRepository } from '../products/src/database/product-repository';
import { seedCatalogueIfEmpty } from '../products/src/services/commands/seed-catalogue';
import { CatalogueQueries } from '../products/src/services/queries/catalogue-queries';
import { REPO_ROOT } from './infra';
import { startFerretDb } from './infra/ferretdb';

async function main(): Promise<void> {
  loadEnvFiles();
  const logger = createLogger({ service: 'seed', format: 'pretty' });
  const local = process.env.PRODUCTS_MONGO_URL || process.env.MONGO_URL ? undefined : await startFerretDb({ dataDir: path.join(REPO_ROOT, '.data', 'ferretdb') });
  const url = process.env.PRODUCTS_MONGO_URL || process.env.MONGO_URL || local!.url;
  try {
    const connection = await connectDatabase({ url, dbName: process.env.PRODUCTS_DB_NAME ?? 'products', logger });
    const products = new ProductRepository(connection);
    const outbox = new Outbox({ connection, logger, broker: new Broker({ url: 'amqp://unused', exchange: 'unused', logger, name: 'seed' }) });
    const seeded = await seedCatalogueIfEmpty({ products, outbox, queries: new CatalogueQueries(products) });
    logger.info(seeded > 0 ? `loaded ${seeded} sample products` : 'the catalogue is not empty; nothing loaded');
    await connection.close();
  } finally {
    await local?.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`seed failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
