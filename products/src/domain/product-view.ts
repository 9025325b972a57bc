import { productFieldsOf, toProductSnapshot, type ProductSnapshot, type PublicProduct } from '@shop/common';
import type { CatalogueProduct } from '../database/models/product';

/** A product as clients see it: the original's fields plus stock (the same shape the replicas answer). */
export type ProductView = PublicProduct;

export function toProductView(product: CatalogueProduct): ProductView {
  return { _id: product._id.toString(), ...productFieldsOf(product) };
}

export function toSnapshot(product: CatalogueProduct): ProductSnapshot {
  return toProductSnapshot(toProductView(product), product.version);
}
