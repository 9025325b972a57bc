import { CatalogueEvents } from '@shop/common';
import type { CatalogueContext } from '../context';
import { announceDeletion, announceProduct } from './announce-product';

/** Announces the changes a crash left unannounced (at start and periodically). */
export async function announcePendingProducts(context: CatalogueContext): Promise<number> {
  const pending = await context.products.findUnannounced();
  for (const product of pending) {
    if (product.deleted) await announceDeletion(context, product);
    else await announceProduct(context, product.version === 1 ? CatalogueEvents.productCreated : CatalogueEvents.productUpdated, product);
  }
  return pending.length;
}
