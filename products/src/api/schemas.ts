import { objectIdString, type ProductFields } from '@shop/common';
import { z } from 'zod';

const text = (max: number) => z.string().trim().max(max);
const money = z.number().finite().nonnegative().max(1_000_000_000);

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

/** Each product field with what a client may set it to: a field the contract adds must be given its rule here. */
type ProductFieldRules = { [K in keyof ProductFields]: z.ZodType<ProductFields[K], z.ZodTypeDef, unknown> };

export const productInputSchema = z.object({
  name: text(200).min(1),
  desc: text(2000).default(''),
  type: text(50)
    .min(1)
    .regex(/^[\p{L}\p{N} _-]+$/u, 'letters, digits, spaces, _ or -'),
  banner: banner.default(''),
  unit: z.number().finite().positive().max(1_000_000),
  price: money,
  available: z.boolean().default(true),
  suplier: text(200).default(''),
  stock: z.number().int().nonnegative().max(1_000_000_000).default(0),
} satisfies ProductFieldRules);

export const productChangesSchema = productInputSchema
  .partial()
  .refine((changes) => Object.values(changes).some((value) => value !== undefined), 'name at least one field to change');

export const productIdParams = z.object({ id: objectIdString });

export const categoryParams = z.object({ type: text(50).min(1) });

export const productIdsBody = z.object({ ids: z.array(objectIdString).max(500) });

export const productSearchQuery = z.object({
  type: text(50).min(1).optional(),
  q: text(100).optional(),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
