import mongoose, { Schema, type Connection, type Model } from 'mongoose';
import { CatalogueEvents, productDeletedSchema, productSnapshotSchema, type ProductSnapshot } from '../contracts/catalogue-events';
import { productFieldsSchema, type PublicProduct } from '../contracts/product';
import type { EventEnvelope } from '../kit/events/envelope';
import { groupedHandler, type EventHandlers } from '../kit/events/consumer';
import { createEvent } from '../kit/events/envelope';
import type { Outbox } from '../kit/events/outbox';
import { isDuplicateKeyError } from '../kit/database/errors';
import { mongooseTypesOf } from '../kit/database/schema-types';

/** A product as a replica keeps it; `_id` is the product id, as in the catalogue. */
export type ReplicaProduct = PublicProduct & { version: number; deleted: boolean };

const replicaSchema = new Schema<ReplicaProduct>(
  {
    _id: { type: String, required: true },
    ...mongooseTypesOf(productFieldsSchema),
    version: { type: Number, required: true },
    deleted: { type: Boolean, default: false },
  },
  { versionKey: false, collection: 'catalogue_replica' },
);

/** What one catalogue event changes in the replica. */
export type CatalogueChange = { productId: string; version: number } & ({ kind: 'snapshot'; snapshot: ProductSnapshot } | { kind: 'deletion' });

function catalogueChange(event: EventEnvelope): CatalogueChange {
  if (event.type === CatalogueEvents.productDeleted) return { kind: 'deletion', ...productDeletedSchema.parse(event.data) };
  const snapshot = productSnapshotSchema.parse(event.data);
  return { kind: 'snapshot', productId: snapshot.productId, version: snapshot.version, snapshot };
}

function replacement({ productId: _id, ...fields }: ProductSnapshot): ReplicaProduct {
  return { _id, ...fields, deleted: false };
}

/**
 * The copy of the catalogue that customer and shopping keep from products' events, so that they
 * never call products (or read its database) to check or price a product.
 */
export class CatalogueReplica {
  readonly model: Model<ReplicaProduct>;

  constructor(connection: Connection) {
    this.model = connection.models.ReplicaProduct ?? connection.model<ReplicaProduct>('ReplicaProduct', replicaSchema);
  }

  /** A product that exists and is not deleted, or undefined. */
  async find(productId: string): Promise<ReplicaProduct | undefined> {
    const product = await this.model.findById(productId).lean();
    return product && !product.deleted ? product : undefined;
  }

  /** A product the replica has heard of, even if it has since been deleted. */
  async findIncludingDeleted(productId: string): Promise<ReplicaProduct | undefined> {
    return (await this.model.findById(productId).lean()) ?? undefined;
  }

  /** The products of a list that the replica knows (a cart, a wishlist, an order), each once; deleted ones left out. */
  async findMany(productIds: string[]): Promise<ReplicaProduct[]> {
    if (productIds.length === 0) return [];
    const products = await this.model.find({ _id: mongoose.trusted({ $in: [...new Set(productIds)] }) }).lean();
    return products.filter((product) => !product.deleted);
  }

  /**
   * Applies a product's changes: events may arrive twice or out of order (a re-announced
   * catalogue races a fresh change), so each applies only over an older version, and when none is
   * newer than what the replica holds nothing changes. A deletion keeps the product's last fields
   * (a cart or wishlist may still show it). A single snapshot, the usual live change, is written
   * without reading the product first: the guarded write decides alone.
   */
  async apply(productId: string, changes: CatalogueChange[]): Promise<void> {
    const [only] = changes;
    if (changes.length === 1 && only?.kind === 'snapshot') return this.replaceIfNewer(replacement(only.snapshot));
    const current = (await this.model.findById(productId).lean<ReplicaProduct>()) ?? undefined;
    let next = current;
    for (const change of [...changes].sort((a, b) => a.version - b.version)) {
      if (next && next.version >= change.version) continue;
      if (change.kind === 'snapshot') {
        next = replacement(change.snapshot);
      } else {
        next = { ...(next ?? ({ _id: productId } as ReplicaProduct)), version: change.version, deleted: true };
      }
    }
    if (next && next !== current) await this.replaceIfNewer(next);
  }

  /**
   * Writes the product unless the replica holds its version or a newer one: instances of a
   * service apply a product's events side by side, so what was read may be stale by now.
   */
  private async replaceIfNewer(product: ReplicaProduct): Promise<void> {
    try {
      await this.model.replaceOne({ _id: product._id, version: mongoose.trusted({ $lt: product.version }) }, product, { upsert: true });
    } catch (error) {
      // The filter missed a stored product, so the upsert met its id: that one is as new or newer.
      if (!isDuplicateKeyError(error)) throw error;
    }
  }

  /**
   * Handlers for the catalogue events, to merge into a service's own. A product's events of one
   * batch are applied together (one read, at most one write); versions make them idempotent.
   */
  handlers(): EventHandlers {
    const replica = groupedHandler({
      key: (event) => `catalogue-replica:${catalogueChange(event).productId}`,
      apply: async (events) => {
        const changes = events.map(catalogueChange);
        await this.apply(changes[0]!.productId, changes);
      },
    });
    return {
      [CatalogueEvents.productCreated]: replica,
      [CatalogueEvents.productUpdated]: replica,
      [CatalogueEvents.productDeleted]: replica,
    };
  }

  /**
   * Asks products to announce its catalogue again. Done at every start: events published before
   * this service's queue existed, or while its database was new, never reached it; re-applying
   * what it has is a no-op (versions), so catching up costs only the messages.
   */
  async requestSync(outbox: Outbox, source: string): Promise<void> {
    await outbox.add(createEvent({ type: CatalogueEvents.syncRequested, data: { requestedBy: source }, source }));
  }
}
