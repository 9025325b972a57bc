import type { CatalogueReplica, Line } from '@shop/common';
import type { PriceList } from '../domain/pricing';

/** The replica's products of these lines, by id: what a cart or an order is priced from. */
export async function priceListOf(catalogue: CatalogueReplica, items: readonly Line[]): Promise<PriceList> {
  return new Map((await catalogue.findMany(items.map((item) => item.product._id))).map((product) => [product._id, product]));
}
