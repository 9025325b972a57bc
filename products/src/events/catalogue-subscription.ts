import { CatalogueEvents, eventEnvelopeSchema, mayPublish, productDeletedSchema, productSnapshotSchema, type Broker, type Logger } from '@shop/common';
import type { CatalogueQueries } from '../services/queries/catalogue-queries';

/**
 * Every products instance keeps the catalogue in memory and follows every change to it, its own
 * and the other instances' (stock taken by orders, admin edits), from the catalogue events.
 */
export async function followCatalogueEvents(broker: Broker, queries: CatalogueQueries, logger: Logger): Promise<void> {
  await broker.subscribe({
    bindings: [CatalogueEvents.productCreated, CatalogueEvents.productUpdated, CatalogueEvents.productDeleted],
    // What was published while this instance had no subscription is read from the database.
    onSubscribed: () => queries.markStale(),
    handle: (message) => {
      const parsed = eventEnvelopeSchema.safeParse(JSON.parse(message.content.toString('utf8')));
      if (!parsed.success) return logger.warn('malformed catalogue event ignored', { routingKey: message.fields.routingKey });
      const event = parsed.data;
      if (!mayPublish(event.source, event.type)) return logger.error('forged catalogue event ignored', { eventId: event.id, type: event.type, source: event.source });
      if (event.type === CatalogueEvents.productDeleted) {
        const { productId, version } = productDeletedSchema.parse(event.data);
        queries.applyDeletion(productId, version);
      } else {
        queries.applySnapshot(productSnapshotSchema.parse(event.data));
      }
    },
  });
}
