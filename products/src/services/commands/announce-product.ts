import { CatalogueEvents, createEvent, currentRequestId, productDeletedEventId, productEventId } from '@shop/common';
import type { CatalogueProduct } from '../../database/models/product';
import { toSnapshot } from '../../domain/product-view';
import type { CatalogueContext } from '../context';

const SOURCE = 'products';

/**
 * Publishes a product's current state (after a change, and when the catalogue is re-announced).
 * The same change announced twice is one event (replicas drop the duplicate by id, the outbox
 * stores it once), except for a replica's request: `forRequest` (the request's id) gives it events
 * of its own, so what it gets never depends on which announcements the outbox still holds, and
 * each shows in the logs which request it answers.
 */
export async function announceProduct(
  { products, outbox, queries }: CatalogueContext,
  type: string,
  product: CatalogueProduct,
  correlationId = currentRequestId(),
  forRequest?: string,
): Promise<void> {
  const snapshot = toSnapshot(product);
  queries.applySnapshot(snapshot);
  await outbox.add(createEvent({ type, id: productEventId(type, snapshot.productId, product.version, forRequest), data: snapshot, source: SOURCE, correlationId }));
  // Announcing again for a request changes nothing about what was announced.
  if (!forRequest) await products.markAnnounced(snapshot.productId, product.version);
}

/** Publishes a product's deletion, then removes the product (marked deleted until then). */
export async function announceDeletion({ products, outbox, queries }: CatalogueContext, product: CatalogueProduct, correlationId?: string): Promise<void> {
  const productId = product._id.toString();
  queries.applyDeletion(productId, product.version);
  await outbox.add(
    createEvent({
      type: CatalogueEvents.productDeleted,
      id: productDeletedEventId(productId),
      data: { productId, version: product.version },
      source: SOURCE,
      correlationId,
    }),
  );
  await products.remove(productId);
}
