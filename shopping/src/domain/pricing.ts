import { toLineProduct, type Line, type LineProduct, type ReplicaProduct } from '@shop/common';

/** The product fields a cart or order line carries, at the replica's current price. */
export function lineProduct(product: ReplicaProduct): LineProduct {
  return toLineProduct(product);
}

/** Sum of price x quantity, in whole cents, so that 0.1 + 0.2 does not become 0.30000000000000004. */
export function orderAmount(lines: Line[]): number {
  const cents = lines.reduce((sum, line) => sum + Math.round(line.product.price * 100) * line.unit, 0);
  return cents / 100;
}
