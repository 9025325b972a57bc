import { NotFoundError, type ProductSnapshot } from '@shop/common';
import type { ProductRepository } from '../../database/product-repository';
import {
  applyChange,
  catalogueViewOf,
  derivedOf,
  searchProducts,
  type CatalogueChange,
  type CatalogueView,
  type ProductPage,
  type ProductSearch,
} from '../../domain/catalogue-view';
import { toProductView, type ProductView } from '../../domain/product-view';

export interface CatalogueQueriesOptions {
  /**
   * A safety net only: the catalogue follows every change from the catalogue events, and is read
   * again whenever the subscription to them is (re)made. Past this age it is read again anyway.
   */
  maxAgeMs?: number;
}

type LoadedCatalogue = CatalogueView & { loadedAt: number };

const EMPTY_LIST = Buffer.from('[]');

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
    return derivedOf(await this.catalogue()).allBody;
  }

  async categoryBody(type: string): Promise<Buffer> {
    return derivedOf(await this.catalogue()).categoryBodies.get(type) ?? EMPTY_LIST;
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

  async search(search: ProductSearch): Promise<ProductPage> {
    return searchProducts(derivedOf(await this.catalogue()).products, search);
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
      ...catalogueViewOf(stored.map((product) => ({ product: toProductView(product), version: product.version }))),
      loadedAt,
    };
    // Changes that arrived while the read was under way may be newer than what it read.
    for (const change of this.changesDuringLoad.splice(0)) applyChange(fresh, change);
    this.loaded = fresh;
    return fresh;
  }
}
