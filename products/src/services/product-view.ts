import type { ProductSnapshot } from '@shop/common';
import type { Product } from '../database/models/product';

/** A product as clients see it: the original's fields plus stock. */
export interface ProductView {
  _id: string;
  name: string;
  desc: string;
  type: string;
  banner: string;
  unit: number;
  price: number;
  available: boolean;
  suplier: string;
  stock: number;
}

export function toProductView(product: Product): ProductView {
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

export function toSnapshot(product: Product): ProductSnapshot {
  const { _id, ...fields } = toProductView(product);
  return { productId: _id, ...fields, version: product.version };
}
