import { CatalogueEvents, createEvent, currentRequestId, productDeletedEventId, productEventId, type EventEnvelope } from '@shop/common';
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
  queries.applySnapshot(toSnapshot(product));
  const event = productEvent(type, product, correlationId, forRequest);
  // An answer to a request has no flag of its own to fall back on: it is stored first.
  if (forRequest) return outbox.add(event);
  await outbox.send(event);
  products.markAnnounced(product._id.toString(), product.version);
}

/**
 * Announces the products a step of the order saga changed together with that step's own event,
 * together: the products' events first, then `after` (the step's record is `after`'s proof: its
 * event comes again when the order's event is delivered again).
 */
export async function announceChangedWith(
  { products, outbox, queries }: CatalogueContext,
  changed: CatalogueProduct[],
  after: EventEnvelope,
  correlationId?: string,
): Promise<void> {
  for (const product of changed) queries.applySnapshot(toSnapshot(product));
  await outbox.send(...changed.map((product) => productEvent(CatalogueEvents.productUpdated, product, correlationId)), after);
  for (const product of changed) products.markAnnounced(product._id.toString(), product.version);
}

function productEvent(type: string, product: CatalogueProduct, correlationId?: string, forRequest?: string): EventEnvelope {
  const snapshot = toSnapshot(product);
  return createEvent({ type, id: productEventId(type, snapshot.productId, product.version, forRequest), data: snapshot, source: SOURCE, correlationId });
}

/** Publishes a product's deletion, then removes the product (marked deleted until then). */
export async function announceDeletion({ products, outbox, queries }: CatalogueContext, product: CatalogueProduct, correlationId?: string): Promise<void> {
  const productId = product._id.toString();
  queries.applyDeletion(productId, product.version);
  await outbox.send(
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
