import { objectIdString, type ProductFields } from '@shop/common';
import { z } from 'zod';

const text = (max: number) => z.string().trim().max(max);
const money = z.number().nonnegative().max(1_000_000_000);

/** A picture the gateway serves (/images/...) or an absolute http(s) URL: never a script or data URL in a page. */
function isBannerLocation(value: string): boolean {
  if (value === '') return true; // no picture
  if (value.startsWith('/')) return /^\/images\/[A-Za-z0-9._-]+$/.test(value) && !value.includes('..');
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '';
  } catch {
    return false;
  }
}

const banner = text(2000)
  .refine(isBannerLocation, 'must be an http(s) URL or a path under /images/')
  .describe('The picture: an http(s) URL, or a path under /images/ (served by the gateway)');

const CATEGORY_NAME = /^[\p{L}\p{N} _-]+$/u;

/** Each product field with what a client may set it to: a field the contract adds must be given its rule here. */
type ProductFieldRules = { [K in keyof ProductFields]: z.ZodType<ProductFields[K], unknown> };

/** A product's fields as a client sends them, without defaults. */
const productFields = z.object({
  name: text(200).min(1),
  desc: text(2000),
  type: text(50)
    .min(1)
    .regex(CATEGORY_NAME, 'letters, digits, spaces, _ or -')
    // The document generator would write the regex's flag into the pattern.
    .meta({ pattern: CATEGORY_NAME.source }),
  banner,
  unit: z.number().positive().max(1_000_000),
  price: money,
  available: z.boolean(),
  suplier: text(200),
  stock: z.number().int().nonnegative().max(1_000_000_000),
} satisfies ProductFieldRules);

export const productInputSchema = productFields.extend({
  desc: productFields.shape.desc.default(''),
  banner: banner.default(''),
  available: productFields.shape.available.default(true),
  suplier: productFields.shape.suplier.default(''),
  stock: productFields.shape.stock.default(0),
});

/** Built from the fields without their defaults: a default would fill in every field left out of a change. */
export const productChangesSchema = productFields.partial().refine((changes) => Object.values(changes).some((value) => value !== undefined), 'name at least one field to change');

export const productIdParams = z.object({ id: objectIdString });

export const categoryParams = z.object({ type: text(50).min(1) });

export const productIdsBody = z.object({ ids: z.array(objectIdString).max(500) });

/**
 * Strict: Express's query parser keeps `page[$gt]=1` as a key of its own, which a stripping schema
 * would drop silently and answer as if it were absent.
 */
export const productSearchQuery = z.strictObject({
  type: text(50).min(1).optional(),
  q: text(100).optional(),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
