import { ConflictError, currentRequestId, NotFoundError } from '@shop/common';
import { toProductView, type ProductView } from '../../domain/product-view';
import type { CatalogueContext } from '../context';
import { announceDeletion } from './announce-product';

/** Marks a product deleted, announces the deletion, then removes it; answers the product as it was. */
export async function deleteProduct(context: CatalogueContext, id: string): Promise<ProductView> {
  const current = await context.products.findById(id);
  if (!current) throw new NotFoundError('No product with this id', 'PRODUCT_NOT_FOUND');
  const deleted = await context.products.markDeleted(id, current.version);
  if (!deleted) throw new ConflictError('The product was changed at the same time; try again', 'CONCURRENT_CHANGE');
  await announceDeletion(context, deleted, currentRequestId());
  return toProductView(current);
}
