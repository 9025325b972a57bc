import { NotFoundError } from '@shop/common';
import type { ProductRepository, ProductSearch } from '../database/product-repository';
import { toProductView, type ProductView } from './product-view';

export interface CatalogueQueriesOptions {
  /** How long a loaded catalogue is served before it is read again (other instances change it too). */
  maxAgeMs?: number;
}

interface LoadedCatalogue {
  loadedAt: number;
  products: ProductView[];
  byId: Map<string, ProductView>;
  categories: string[];
  /** `GET /` answered as bytes: the most requested body is built once per load, not per request. */
  allBody: Buffer;
}

/**
 * The catalogue's query side. Reads of the whole catalogue, a category or an id are served from
 * memory, reloaded after this instance changes the catalogue or when older than maxAgeMs; paged
 * search goes to the database.
 */
export class CatalogueQueries {
  private loaded?: LoadedCatalogue;
  private loading?: Promise<LoadedCatalogue>;
  private readonly maxAgeMs: number;

  constructor(private readonly products: ProductRepository, options: CatalogueQueriesOptions = {}) {
    this.maxAgeMs = options.maxAgeMs ?? 1000;
  }

  /** Called by the commands after every change of the catalogue. */
  invalidate(): void {
    this.loaded = undefined;
  }

  async allProductsBody(): Promise<Buffer> {
    return (await this.catalogue()).allBody;
  }

  async listAll(): Promise<{ products: ProductView[]; categories: string[] }> {
    const { products, categories } = await this.catalogue();
    return { products, categories };
  }

  async listByCategory(type: string): Promise<ProductView[]> {
    return (await this.catalogue()).products.filter((product) => product.type === type);
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
    if (this.loaded && Date.now() - this.loaded.loadedAt < this.maxAgeMs) return this.loaded;
    // One reload at a time, however many requests arrive meanwhile.
    this.loading ??= this.load().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async load(): Promise<LoadedCatalogue> {
    const loadedAt = Date.now();
    const products = (await this.products.findAll()).map(toProductView);
    const categories = [...new Set(products.map((product) => product.type))].sort();
    const loaded = {
      loadedAt,
      products,
      byId: new Map(products.map((product) => [product._id, product])),
      categories,
      allBody: Buffer.from(JSON.stringify({ products, categories })),
    };
    this.loaded = loaded;
    return loaded;
  }
}
