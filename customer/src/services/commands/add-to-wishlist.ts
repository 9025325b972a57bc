import { NotFoundError, toPublicProduct, WishlistEvents, type PublicProduct } from '@shop/common';
import type { ProfilesContext } from '../context';
import { announceWishlistChange } from './announce-wishlist-change';

/** Adds a product the catalogue knows; adding it twice keeps one entry, announced once. */
export async function addToWishlist(context: ProfilesContext, customerId: string, productId: string): Promise<PublicProduct> {
  const product = await context.catalogue.find(productId);
  if (!product) throw new NotFoundError('No product with this id', 'PRODUCT_NOT_FOUND');
  const { found, changed } = await context.customers.addToWishlist(customerId, productId);
  if (!found) throw new NotFoundError('No such customer', 'CUSTOMER_NOT_FOUND');
  if (changed) await announceWishlistChange(context, WishlistEvents.itemAdded, customerId, productId);
  return toPublicProduct(product);
}
