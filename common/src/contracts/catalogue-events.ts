import { z } from 'zod';

/** The catalogue as other services see it: products → customer and shopping replicas. */
export const CatalogueEvents = {
  productCreated: 'product.created',
  productUpdated: 'product.updated',
  productDeleted: 'product.deleted',
  /** A service whose replica is empty asks products to announce its whole catalogue again. */
  syncRequested: 'catalogue.sync-requested',
} as const;

export const productSnapshotSchema = z.object({
  productId: z.string().min(1).max(100),
  name: z.string(),
  desc: z.string(),
  type: z.string(),
  banner: z.string(),
  unit: z.number(),
  price: z.number(),
  available: z.boolean(),
  suplier: z.string(),
  stock: z.number().int(),
  /** Increases with every change, so that a replica never goes back to an older state. */
  version: z.number().int(),
});
export type ProductSnapshot = z.infer<typeof productSnapshotSchema>;

export const productDeletedSchema = z.object({ productId: z.string().min(1).max(100), version: z.number().int() });
export type ProductDeleted = z.infer<typeof productDeletedSchema>;

export const syncRequestedSchema = z.object({ requestedBy: z.string().max(100) });
