import { CatalogueEvents, ConflictError, NotFoundError } from '@shop/common';
import type { ProductChanges } from '../../database/product-repository';
import { toProductView, type ProductView } from '../../domain/product-view';
import type { CatalogueContext } from '../context';
import { announceProduct } from './announce-product';

/** Changes some fields of a product, over the version it was read at, and announces it. */
export async function updateProduct(context: CatalogueContext, id: string, changes: ProductChanges): Promise<ProductView> {
  const current = await context.products.findById(id);
  if (!current) throw new NotFoundError('No product with this id', 'PRODUCT_NOT_FOUND');
  const updated = await context.products.update(id, current.version, changes);
  if (!updated) throw new ConflictError('The product was changed at the same time; try again', 'CONCURRENT_CHANGE');
  await announceProduct(context, CatalogueEvents.productUpdated, updated);
  return toProductView(updated);
}
