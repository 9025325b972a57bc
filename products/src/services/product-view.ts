import type { ProductSnapshot, PublicProduct } from '@shop/common';
import type { CatalogueProduct } from '../database/models/product';

/** A product as clients see it: the original's fields plus stock (the same shape the replicas answer). */
export type ProductView = PublicProduct;

export function toProductView(product: CatalogueProduct): ProductView {
  return {
    _id: product._id.toString(),
    name: product.name,
    desc: product.desc,
    type: product.type,
    banner: product.banner,
    unit: product.unit,
    price: product.price,
    available: product.available,
    suplier: product.suplier,
    stock: product.stock,
  };
}

export function toSnapshot(product: CatalogueProduct): ProductSnapshot {
  const { _id, ...fields } = toProductView(product);
  return { productId: _id, ...fields, version: product.version };
}
