import { productFieldsOf, toProductSnapshot, type ProductFields, type ProductSnapshot, type PublicProduct } from '@shop/common/contracts';

/** A product as clients see it: the original's fields plus stock (the same shape the replicas answer). */
export type ProductView = PublicProduct;

/** A product of the catalogue as its store holds it: its fields, an id of any kind, and its version. */
export type CatalogueRecord = ProductFields & { _id: { toString(): string }; version: number };

export function toProductView(product: CatalogueRecord): ProductView {
  return { _id: product._id.toString(), ...productFieldsOf(product) };
}

export function toSnapshot(product: CatalogueRecord): ProductSnapshot {
  return toProductSnapshot(toProductView(product), product.version);
}
