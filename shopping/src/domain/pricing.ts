import { toLineProduct, type Line, type PublicProduct } from '@shop/common/contracts';

/** The catalogue's products by id, as a cart or an order is priced from them. */
export type PriceList = ReadonlyMap<string, PublicProduct>;

/** Sum of price x quantity, in whole cents, so that 0.1 + 0.2 does not become 0.30000000000000004. */
export function orderAmount(lines: readonly Line[]): number {
  const cents = lines.reduce((sum, line) => sum + Math.round(line.product.price * 100) * line.unit, 0);
  return cents / 100;
}

/** The cart's lines at current prices; products gone from the catalogue are left out. */
export function repriced(items: readonly Line[], prices: PriceList): Line[] {
  return items.flatMap((item) => {
    const product = prices.get(item.product._id);
    return product ? [{ product: toLineProduct(product), unit: item.unit }] : [];
  });
}

/** The first line an order cannot take: its product is gone from the catalogue or unavailable. */
export function firstUnavailable(items: readonly Line[], prices: PriceList): Line | undefined {
  return items.find((item) => !prices.get(item.product._id)?.available);
}
