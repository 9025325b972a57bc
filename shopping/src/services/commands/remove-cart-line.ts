import { NotFoundError, toLineProduct, type LineProduct } from '@shop/common';
import type { CartsContext } from '../context';
import { announceCart } from './announce-cart';

/** Removing a product that is not in the cart changes nothing and still succeeds. */
export async function removeCartLine(context: CartsContext, customerId: string, productId: string): Promise<{ product: LineProduct; unit: 0 }> {
  const [removal, known] = await Promise.all([
    context.carts.removeLine(customerId, productId),
    // A product deleted from the catalogue can still be removed from a cart.
    context.catalogue.findIncludingDeleted(productId),
  ]);
  if (removal) await announceCart(context, removal.cart);
  else if (!known) throw new NotFoundError('No product with this id', 'PRODUCT_NOT_FOUND');
  return { product: known ? toLineProduct(known) : removal!.removed.product, unit: 0 };
}
