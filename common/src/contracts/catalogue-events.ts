import { z } from 'zod';
import { productFieldsOf, productFieldsSchema, type PublicProduct } from './product';

/** The catalogue as other services see it: products → customer and shopping replicas. */
export const CatalogueEvents = {
  productCreated: 'product.created',
  productUpdated: 'product.updated',
  productDeleted: 'product.deleted',
  /** A service whose replica is empty asks products to announce its whole catalogue again. */
  syncRequested: 'catalogue.sync-requested',
} as const;

/** The product as product.created and product.updated announce it: its fields at a version. */
export const productSnapshotSchema = z
  .object({ productId: z.string().min(1).max(100) })
  .extend(productFieldsSchema.shape)
  .extend({
    /** Increases with every change, so that a replica never goes back to an older state. */
    version: z.number().int(),
  });
export type ProductSnapshot = z.infer<typeof productSnapshotSchema>;

export const toProductSnapshot = (product: PublicProduct, version: number): ProductSnapshot => ({ productId: product._id, ...productFieldsOf(product), version });

export const productDeletedSchema = z.object({ productId: z.string().min(1).max(100), version: z.number().int() });
export type ProductDeleted = z.infer<typeof productDeletedSchema>;

export const syncRequestedSchema = z.object({ requestedBy: z.string().max(100) });

/**
 * The id of a product.created or product.updated: one per product version, so a change announced
 * twice is one event; a replica's request for the catalogue gets events of its own (`forRequest`).
 */
export const productEventId = (type: string, productId: string, version: number, forRequest?: string): string =>
  `${type}:${productId}:${version}${forRequest ? `:for:${forRequest}` : ''}`;

/** A product is deleted once: its deletion has one id. */
export const productDeletedEventId = (productId: string): string => `${CatalogueEvents.productDeleted}:${productId}`;
