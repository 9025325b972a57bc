import { NotFoundError, toPublicProduct, WishlistEvents, type PublicProduct } from '@shop/common';
import type { ProfilesContext } from '../context';
import { announceWishlistChange } from './announce-wishlist-change';

/** Removing a product that is not in the wishlist changes nothing and still succeeds. */
export async function removeFromWishlist(context: ProfilesContext, customerId: string, productId: string): Promise<PublicProduct> {
  const [product, { found, changed }] = await Promise.all([context.catalogue.findIncludingDeleted(productId), context.customers.removeFromWishlist(customerId, productId)]);
  if (!found) throw new NotFoundError('No such customer', 'CUSTOMER_NOT_FOUND');
  if (changed) await announceWishlistChange(context, WishlistEvents.itemRemoved, customerId, productId);
  else if (!product) throw new NotFoundError('No product with this id', 'PRODUCT_NOT_FOUND');
  return product ? toPublicProduct(product) : ({ _id: productId } as PublicProduct);
}
