import { NotFoundError, type ProductSnapshot } from '@shop/common';
import type { ProductRepository } from '../database/product-repository';
import { toProductView, type ProductView } from './product-view';

export interface CatalogueQueriesOptions {
  /**
   * A safety net only: the catalogue follows every change from the catalogue events, and is read
   * again whenever the subscription to them is (re)made. Past this age it is read again anyway.
   */
  maxAgeMs?: number;
}

export interface ProductSearch {
  type?: string;
  /** Matched literally and without regard to case against the name. */
  text?: string;
  page: number;
  limit: number;
}

interface CatalogueEntry {
  product: ProductView;
  version: number;
}

type CatalogueChange = { kind: 'snapshot'; snapshot: ProductSnapshot } | { kind: 'deletion'; productId: string; version: number };

interface LoadedCatalogue {
  loadedAt: number;
  /** Live products by id. Not kept in order: `derived` sorts once per change. */
  byId: Map<string, CatalogueEntry>;
  /** What a deletion left: its version, so that an older event cannot bring the product back. */
  deletedVersions: Map<string, number>;
  /** Derived on first use after a change; the bodies are JSON, ready to send. */
  derived?: DerivedViews;
  /** `GET /:id` bodies, made on first ask and dropped when that product changes. */
  bodyById: Map<string, Buffer>;
}

interface DerivedViews {
  /** In id order, which is creation order (what `GET /` lists them in). */
  products: ProductView[];
  categories: string[];
  allBody: Buffer;
  categoryBodies: Map<string, Buffer>;
}

const EMPTY_LIST = Buffer.from('[]');

function knownVersion(loaded: LoadedCatalogue, productId: string): number {
  return loaded.byId.get(productId)?.version ?? loaded.deletedVersions.get(productId) ?? 0;
}

function applyChange(loaded: LoadedCatalogue, change: CatalogueChange): void {
  const productId = change.kind === 'snapshot' ? change.snapshot.productId : change.productId;
  const version = change.kind === 'snapshot' ? change.snapshot.version : change.version;
  if (version <= knownVersion(loaded, productId)) return;
  if (change.kind === 'snapshot') {
    const { productId: _id, version: _version, ...fields } = change.snapshot;
    loaded.deletedVersions.delete(productId);
    loaded.byId.set(productId, { product: { _id: productId, ...fields }, version });
  } else {
    loaded.byId.delete(productId);
    loaded.deletedVersions.set(productId, version);
  }
  loaded.bodyById.delete(productId);
  loaded.derived = undefined;
}

/**
 * The catalogue's query side, served from memory: the whole catalogue, a category, an id, a list
 * of ids and the paged search. It is read from the database once, then kept current by the
 * catalogue events (whichever instance made the change: `applySnapshot`, `applyDeletion`); this
 * instance's own changes are applied at once too. Versions make every apply idempotent.
 */
export class CatalogueQueries {
  private loaded?: LoadedCatalogue;
  private loading?: Promise<LoadedCatalogue>;
  private stale = false;
  /** Changes that arrive while the catalogue is being read, to apply on top of what was read. */
  private changesDuringLoad: CatalogueChange[] = [];
  private readonly maxAgeMs: number;

  constructor(
    private readonly products: ProductRepository,
    options: CatalogueQueriesOptions = {},
  ) {
    this.maxAgeMs = options.maxAgeMs ?? 5 * 60_000;
  }

  /** Events may have been missed (a new subscription): read the catalogue again on next use. */
  markStale(): void {
    this.stale = true;
  }

  /** A product's state as of a version; an older or repeated version changes nothing. */
  applySnapshot(snapshot: ProductSnapshot): void {
    this.record({ kind: 'snapshot', snapshot });
  }

  applyDeletion(productId: string, version: number): void {
    this.record({ kind: 'deletion', productId, version });
  }

  async allProductsBody(): Promise<Buffer> {
    return this.derive(await this.catalogue()).allBody;
  }

  async categoryBody(type: string): Promise<Buffer> {
    return this.derive(await this.catalogue()).categoryBodies.get(type) ?? EMPTY_LIST;
  }

  async productBody(id: string): Promise<Buffer> {
    const loaded = await this.catalogue();
    let body = loaded.bodyById.get(id);
    if (!body) {
      const entry = loaded.byId.get(id);
      if (!entry) throw new NotFoundError('No product with this id', 'PRODUCT_NOT_FOUND');
      body = Buffer.from(JSON.stringify(entry.product));
      loaded.bodyById.set(id, body);
    }
    return body;
  }

  /** The products among the ids that exist, in the order asked, each once. */
  async getByIds(ids: string[]): Promise<ProductView[]> {
    const { byId } = await this.catalogue();
    return [...new Set(ids)].flatMap((id) => byId.get(id)?.product ?? []);
  }

  async search({ type, text, page, limit }: ProductSearch): Promise<{ products: ProductView[]; total: number; page: number; limit: number }> {
    const { products } = this.derive(await this.catalogue());
    const needle = text?.toLowerCase();
    const matching = products.filter((product) => (!type || product.type === type) && (!needle || product.name.toLowerCase().includes(needle)));
    return { products: matching.slice((page - 1) * limit, page * limit), total: matching.length, page, limit };
  }

  private record(change: CatalogueChange): void {
    if (this.loading) this.changesDuringLoad.push(change);
    if (this.loaded) applyChange(this.loaded, change);
  }

  private async catalogue(): Promise<LoadedCatalogue> {
    const loaded = this.loaded;
    if (loaded && !this.stale && Date.now() - loaded.loadedAt < this.maxAgeMs) return loaded;
    // One read at a time, however many requests arrive meanwhile; the loaded one goes on serving.
    this.loading ??= this.load().finally(() => {
      this.loading = undefined;
    });
    if (loaded) {
      this.loading.catch(() => undefined); // a failed reload leaves the loaded one serving
      return loaded;
    }
    return this.loading;
  }

  private async load(): Promise<LoadedCatalogue> {
    this.stale = false;
    const loadedAt = Date.now();
    const stored = await this.products.findAll();
    const fresh: LoadedCatalogue = {
      loadedAt,
      byId: new Map(stored.map((product) => [product._id.toString(), { product: toProductView(product), version: product.version }])),
      deletedVersions: new Map(),
      bodyById: new Map(),
    };
    // Changes that arrived while the read was under way may be newer than what it read.
    for (const change of this.changesDuringLoad.splice(0)) applyChange(fresh, change);
    this.loaded = fresh;
    return fresh;
  }

  private derive(loaded: LoadedCatalogue): DerivedViews {
    if (!loaded.derived) {
      const products = [...loaded.byId.values()].map((entry) => entry.product).sort((a, b) => (a._id < b._id ? -1 : a._id > b._id ? 1 : 0));
      const byCategory = new Map<string, ProductView[]>();
      for (const product of products) {
        const list = byCategory.get(product.type);
        if (list) list.push(product);
        else byCategory.set(product.type, [product]);
      }
      const categories = [...byCategory.keys()].sort();
      loaded.derived = {
        products,
        categories,
        allBody: Buffer.from(JSON.stringify({ products, categories })),
        categoryBodies: new Map([...byCategory].map(([type, list]) => [type, Buffer.from(JSON.stringify(list))])),
      };
    }
    return loaded.derived;
  }
}
