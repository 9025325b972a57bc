import { CatalogueEvents } from '@shop/common';
import { SAMPLE_CATALOGUE } from '../../seed/sample-catalogue';
import type { CatalogueContext } from '../context';
import { announceProduct } from './announce-product';

/** Loads the sample catalogue into an empty catalogue, announcing every product. Returns how many. */
export async function seedCatalogueIfEmpty(context: CatalogueContext): Promise<number> {
  if ((await context.products.count()) > 0) return 0;
  await context.products.insertMany(SAMPLE_CATALOGUE);
  for (const product of await context.products.findAll()) await announceProduct(context, CatalogueEvents.productCreated, product);
  return SAMPLE_CATALOGUE.length;
}
