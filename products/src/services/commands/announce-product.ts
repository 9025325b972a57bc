import { CatalogueEvents, ConflictError, createEvent, currentRequestId, NotFoundError, type Outbox } from '@shop/common';
import type { NewProduct, ProductChanges, ProductRepository } from '../database/product-repository';
import type { CatalogueProduct } from '../database/models/product';
import type { CatalogueQueries } from './catalogue-queries';
import { toProductView, toSnapshot, type ProductView } from './product-view';

const SOURCE = 'products';

/** Changes to the catalogue; each one is announced with an event that carries price and stock. */
export class CatalogueCommands {
  constructor(
    private readonly products: ProductRepository,
    private readonly outbox: Outbox,
    private readonly queries: CatalogueQueries,
  ) {}

  async createProduct(input: NewProduct): Promise<ProductView> {
    const product = await this.products.create(input);
    await this.announce(CatalogueEvents.productCreated, product);
    return toProductView(product);
  }

  async updateProduct(id: string, changes: ProductChanges): Promise<ProductView> {
    const current = await this.products.findById(id);
    if (!current) throw new NotFoundError('No product with this id', 'PRODUCT_NOT_FOUND');
    const updated = await this.products.update(id, current.version, changes);
    if (!updated) throw new ConflictError('The product was changed at the same time; try again', 'CONCURRENT_CHANGE');
    await this.announce(CatalogueEvents.productUpdated, updated);
    return toProductView(updated);
  }

  async deleteProduct(id: string): Promise<ProductView> {
    const current = await this.products.findById(id);
    if (!current) throw new NotFoundError('No product with this id', 'PRODUCT_NOT_FOUND');
    const deleted = await this.products.markDeleted(id, current.version);
    if (!deleted) throw new ConflictError('The product was changed at the same time; try again', 'CONCURRENT_CHANGE');
    await this.announceDeletion(deleted, currentRequestId());
    return toProductView(current);
  }

  /**
   * Publishes a product's current state (after a change, and when the catalogue is re-announced).
   * The same change announced twice is one event (replicas drop the duplicate by id, the outbox
   * stores it once), except for a replica's request: `forRequest` (the request's id) gives it events
   * of its own, so what it gets never depends on which announcements the outbox still holds, and
   * each shows in the logs which request it answers.
   */
  async announce(type: string, product: CatalogueProduct, correlationId = currentRequestId(), forRequest?: string): Promise<void> {
    this.queries.applySnapshot(toSnapshot(product));
    await this.outbox.add(
      createEvent({
        type,
        id: `${type}:${product._id.toString()}:${product.version}${forRequest ? `:for:${forRequest}` : ''}`,
        data: toSnapshot(product),
        source: SOURCE,
        correlationId,
      }),
    );
    // Announcing again for a request changes nothing about what was announced.
    if (!forRequest) await this.products.markAnnounced(product._id.toString(), product.version);
  }

  /** Announces the whole catalogue again, for a replica that asked (its request's id marks the events). */
  async announceAllFor(requestId: string, correlationId?: string): Promise<void> {
    for (const product of await this.products.findAll()) await this.announce(CatalogueEvents.productUpdated, product, correlationId, requestId);
  }

  /** Announces the changes a crash left unannounced (at start and periodically). */
  async announcePending(): Promise<number> {
    const pending = await this.products.findUnannounced();
    for (const product of pending) {
      if (product.deleted) await this.announceDeletion(product);
      else await this.announce(product.version === 1 ? CatalogueEvents.productCreated : CatalogueEvents.productUpdated, product);
    }
    return pending.length;
  }

  private async announceDeletion(product: CatalogueProduct, correlationId?: string): Promise<void> {
    const productId = product._id.toString();
    this.queries.applyDeletion(productId, product.version);
    await this.outbox.add(
      createEvent({
        type: CatalogueEvents.productDeleted,
        id: `${CatalogueEvents.productDeleted}:${productId}`,
        data: { productId, version: product.version },
        source: SOURCE,
        correlationId,
      }),
    );
    await this.products.remove(productId);
  }
}
