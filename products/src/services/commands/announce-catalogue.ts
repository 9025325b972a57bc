import { CatalogueEvents } from '@shop/common';
import type { CatalogueContext } from '../context';
import { announceProduct } from './announce-product';

/** Announces the whole catalogue again, for a replica that asked (its request's id marks the events). */
export async function announceCatalogue(context: CatalogueContext, requestId: string, correlationId?: string): Promise<void> {
  for (const product of await context.products.findAll()) await announceProduct(context, CatalogueEvents.productUpdated, product, correlationId, requestId);
}
