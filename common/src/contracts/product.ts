import { z } from 'zod';

/**
 * The one definition of a product's fields: the catalogue stores them, its events carry them,
 * the replicas keep them, cart and order lines and wishlists show them, the API document
 * describes them. Everything else is derived from here, so a new field is added here only.
 */
export const productFieldsSchema = z.object({
  name: z.string(),
  desc: z.string(),
  type: z.string(),
  banner: z.string(),
  unit: z.number(),
  price: z.number(),
  available: z.boolean(),
  /** The original project's spelling, kept for its clients. */
  suplier: z.string(),
  stock: z.number().int(),
});
export type ProductFields = z.infer<typeof productFieldsSchema>;
export const PRODUCT_FIELDS = productFieldsSchema.keyof().options;

/** A product as the API answers it (products' own, the replicas' copies, a wishlist): its fields, keyed by _id. */
export const publicProductSchema = z.object({ _id: z.string() }).extend(productFieldsSchema.shape);
export type PublicProduct = z.infer<typeof publicProductSchema>;

/** The product fields a cart line or an order line carries (priced at the time). */
export const lineProductSchema = publicProductSchema.pick({ _id: true, name: true, desc: true, price: true, banner: true, type: true });
export type LineProduct = z.infer<typeof lineProductSchema>;

const LINE_PRODUCT_FIELDS = lineProductSchema.keyof().options;

function pick<T extends object, K extends keyof T>(source: T, keys: readonly K[]): Pick<T, K> {
  const picked = {} as Pick<T, K>;
  for (const key of keys) picked[key] = source[key];
  return picked;
}

/** The product's own fields, without whatever bookkeeping its store keeps beside them. */
export const productFieldsOf = (product: ProductFields): ProductFields => pick(product, PRODUCT_FIELDS);

/** A product as clients see it, from any record that holds its fields and its id. */
export const toPublicProduct = (product: ProductFields & { _id: string }): PublicProduct => ({ _id: product._id, ...productFieldsOf(product) });

/** What a cart or order line keeps of a product, at its current price. */
export const toLineProduct = (product: LineProduct): LineProduct => pick(product, LINE_PRODUCT_FIELDS);
