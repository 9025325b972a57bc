import { CatalogueEvents } from '@shop/common';
import type { NewProduct } from '../../database/product-repository';
import { toProductView, type ProductView } from '../../domain/product-view';
import type { CatalogueContext } from '../context';
import { announceProduct } from './announce-product';

/** Adds a product to the catalogue and announces it. */
export async function createProduct(context: CatalogueContext, input: NewProduct): Promise<ProductView> {
  const product = await context.products.create(input);
  await announceProduct(context, CatalogueEvents.productCreated, product);
  return toProductView(product);
}
