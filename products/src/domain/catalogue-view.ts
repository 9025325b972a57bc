import type { ProductSnapshot } from '@shop/common/contracts';
import type { ProductView } from './product-view';

/** What one catalogue event changes in the catalogue as products serves it. */
export type CatalogueChange = { kind: 'snapshot'; snapshot: ProductSnapshot } | { kind: 'deletion'; productId: string; version: number };

interface CatalogueEntry {
  product: ProductView;
  version: number;
}

/** The catalogue as the queries serve it, with what they derive from it made once per change. */
export interface CatalogueView {
  /** Live products by id. Not kept in order: `derived` sorts once per change. */
  byId: Map<string, CatalogueEntry>;
  /** What a deletion left: its version, so that an older event cannot bring the product back. */
  deletedVersions: Map<string, number>;
  /** Derived on first use after a change; the bodies are JSON, ready to send. */
  derived?: DerivedViews;
  /** `GET /:id` bodies, made on first ask and dropped when that product changes. */
  bodyById: Map<string, Buffer>;
}

export interface DerivedViews {
  /** In id order, which is creation order (what `GET /` lists them in). */
  products: ProductView[];
  categories: string[];
  allBody: Buffer;
  categoryBodies: Map<string, Buffer>;
}

export interface ProductSearch {
  type?: string;
  /** Matched literally and without regard to case against the name. */
  text?: string;
  page: number;
  limit: number;
}

export interface ProductPage {
  products: ProductView[];
  total: number;
  page: number;
  limit: number;
}

export function catalogueViewOf(products: ReadonlyArray<{ product: ProductView; version: number }>): CatalogueView {
  return { byId: new Map(products.map((entry) => [entry.product._id, entry])), deletedVersions: new Map(), bodyById: new Map() };
}

function knownVersion(view: CatalogueView, productId: string): number {
  return view.byId.get(productId)?.version ?? view.deletedVersions.get(productId) ?? 0;
}

/** Applies a change unless the view holds its version or a newer one: events may come twice or late. */
export function applyChange(view: CatalogueView, change: CatalogueChange): void {
  const productId = change.kind === 'snapshot' ? change.snapshot.productId : change.productId;
  const version = change.kind === 'snapshot' ? change.snapshot.version : change.version;
  if (version <= knownVersion(view, productId)) return;
  if (change.kind === 'snapshot') {
    const { productId: _id, version: _version, ...fields } = change.snapshot;
    view.deletedVersions.delete(productId);
    view.byId.set(productId, { product: { _id: productId, ...fields }, version });
  } else {
    view.byId.delete(productId);
    view.deletedVersions.set(productId, version);
  }
  view.bodyById.delete(productId);
  view.derived = undefined;
}

const byId = (a: ProductView, b: ProductView): number => (a._id < b._id ? -1 : a._id > b._id ? 1 : 0);

/** The sorted list, the categories and the ready bodies, made once after a change. */
export function derivedOf(view: CatalogueView): DerivedViews {
  if (!view.derived) {
    const products = [...view.byId.values()].map((entry) => entry.product).sort(byId);
    const byCategory = new Map<string, ProductView[]>();
    for (const product of products) {
      const list = byCategory.get(product.type);
      if (list) list.push(product);
      else byCategory.set(product.type, [product]);
    }
    const categories = [...byCategory.keys()].sort();
    view.derived = {
      products,
      categories,
      allBody: Buffer.from(JSON.stringify({ products, categories })),
      categoryBodies: new Map([...byCategory].map(([type, list]) => [type, Buffer.from(JSON.stringify(list))])),
    };
  }
  return view.derived;
}

/** One page of the products of a type whose name holds the text. */
export function searchProducts(products: readonly ProductView[], { type, text, page, limit }: ProductSearch): ProductPage {
  const needle = text?.toLowerCase();
  const matching = products.filter((product) => (!type || product.type === type) && (!needle || product.name.toLowerCase().includes(needle)));
  return { products: matching.slice((page - 1) * limit, page * limit), total: matching.length, page, limit };
}
