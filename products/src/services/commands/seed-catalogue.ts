import { CatalogueEvents } from '@shop/common';
import type { ProductRepository } from '../database/product-repository';
import { SAMPLE_CATALOGUE } from '../seed/sample-catalogue';
import type { CatalogueCommands } from './catalogue-commands';

/** Loads the sample catalogue into an empty catalogue, announcing every product. Returns how many. */
export async function seedCatalogueIfEmpty(products: ProductRepository, commands: CatalogueCommands): Promise<number> {
  if ((await products.count()) > 0) return 0;
  await products.insertMany(SAMPLE_CATALOGUE);
  for (const product of await products.findAll()) await commands.announce(CatalogueEvents.productCreated, product);
  return SAMPLE_CATALOGUE.length;
}
