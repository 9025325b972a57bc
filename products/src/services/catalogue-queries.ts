import { NotFoundError } from '@shop/common';
import type { ProductRepository, ProductSearch } from '../database/product-repository';
import { toProductView, type ProductView } from './product-view';

export interface CatalogueQueriesOptions {
  /** How long a loaded catalogue is served before it is read again (other instances change it too). */
  maxAgeMs?: number;
}

interface LoadedCatalogue {
  loadedAt: number;
  /** By id, in id order (the order `GET /` lists them in). */
  byId: Map<string, ProductView>;
  /** Derived on first use after a change: the list, the categories and `GET /` as bytes. */
  derived?: { products: ProductView[]; categories: string[]; allBody: Buffer };
}

/**
 * The catalogue's query side. Reads of the whole catalogue, a category or an id are served from
 * memory. This instance's own changes are applied to it in place; changes made by other instances
 * arrive by reloading it when it is older than maxAgeMs, in the background, while the loaded one
 * goes on serving. Paged search goes to the database.
 */
export class CatalogueQueries {
  private loaded?: LoadedCatalogue;
  private loading?: Promise<LoadedCatalogue>;
  private readonly maxAgeMs: number;

  constructor(private readonly products: ProductRepository, options: CatalogueQueriesOptions = {}) {
    this.maxAgeMs = options.maxAgeMs ?? 1000;
  }

  /** A product this instance created or changed. */
  apply(product: ProductView): void {
    if (!this.loaded) return;
    const { byId } = this.loaded;
    const isNew = !byId.has(product._id);
    byId.set(product._id, product);
    // Ids grow with time, so a new product almost always belongs at the end; otherwise re-sort.
    if (isNew && [...byId.keys()].some((id) => id > product._id)) this.loaded.byId = new Map([...byId].sort(([a], [b]) => (a < b ? -1 : 1)));
    this.loaded.derived = undefined;
  }

  /** A product this instance deleted. */
  remove(productId: string): void {
    if (!this.loaded?.byId.delete(productId)) return;
    this.loaded.derived = undefined;
  }

  async allProductsBody(): Promise<Buffer> {
    return this.derive(await this.catalogue()).allBody;
  }

  async listAll(): Promise<{ products: ProductView[]; categories: string[] }> {
    const { products, categories } = this.derive(await this.catalogue());
    return { products, categories };
  }

  async listByCategory(type: string): Promise<ProductView[]> {
    return this.derive(await this.catalogue()).products.filter((product) => product.type === type);
  }

  async getById(id: string): Promise<ProductView> {
    const product = (await this.catalogue()).byId.get(id);
    if (!product) throw new NotFoundError('No product with this id', 'PRODUCT_NOT_FOUND');
    return product;
  }

  /** The products among the ids that exist, in the order asked, each once. */
  async getByIds(ids: string[]): Promise<ProductView[]> {
    const { byId } = await this.catalogue();
    return [...new Set(ids)].flatMap((id) => byId.get(id) ?? []);
  }

  async search(search: ProductSearch): Promise<{ products: ProductView[]; total: number; page: number; limit: number }> {
    const { products, total } = await this.products.search(search);
    return { products: products.map(toProductView), total, page: search.page, limit: search.limit };
  }

  private async catalogue(): Promise<LoadedCatalogue> {
    const loaded = this.loaded;
    if (loaded && Date.now() - loaded.loadedAt < this.maxAgeMs) return loaded;
    // One reload at a time, however many requests arrive meanwhile.
    this.loading ??= this.load().finally(() => {
      this.loading = undefined;
    });
    if (loaded) {
      this.loading.catch(() => undefined); // a failed background reload leaves the loaded one serving
      return loaded;
    }
    return this.loading;
  }

  private async load(): Promise<LoadedCatalogue> {
    const loadedAt = Date.now();
    const products = (await this.products.findAll()).map(toProductView);
    const loaded: LoadedCatalogue = { loadedAt, byId: new Map(products.map((product) => [product._id, product])) };
    this.loaded = loaded;
    return loaded;
  }

  private derive(loaded: LoadedCatalogue): NonNullable<LoadedCatalogue['derived']> {
    if (!loaded.derived) {
      const products = [...loaded.byId.values()];
      const categories = [...new Set(products.map((product) => product.type))].sort();
      loaded.derived = { products, categories, allBody: Buffer.from(JSON.stringify({ products, categories })) };
    }
    return loaded.derived;
  }
}
