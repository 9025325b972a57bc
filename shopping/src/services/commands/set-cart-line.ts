import { ConflictError, NotFoundError, toLineProduct, type Line } from '@shop/common';
import type { CartsContext } from '../context';
import { announceCart } from './announce-cart';

/** Sets how many of a product the cart holds (not adds to it), at the catalogue's price. */
export async function setCartLine(context: CartsContext, customerId: string, productId: string, unit: number): Promise<Line> {
  const product = await context.catalogue.find(productId);
  if (!product) throw new NotFoundError('No product with this id', 'PRODUCT_NOT_FOUND');
  if (!product.available) throw new ConflictError('This product is not available', 'PRODUCT_UNAVAILABLE');
  const line: Line = { product: toLineProduct(product), unit };
  await announceCart(context, await context.carts.setLine(customerId, line));
  return line;
}
