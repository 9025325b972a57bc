import { objectIdString } from '@shop/common';
import { z } from 'zod';

const text = (max: number) => z.string().trim().max(max);
const money = z.number().finite().nonnegative().max(1_000_000_000);

export const productInputSchema = z.object({
  name: text(200).min(1),
  desc: text(2000).default(''),
  type: text(50).min(1).regex(/^[\p{L}\p{N} _-]+$/u, 'letters, digits, spaces, _ or -'),
  banner: text(2000).default(''),
  unit: z.number().finite().positive().max(1_000_000),
  price: money,
  available: z.boolean().default(true),
  suplier: text(200).default(''),
  stock: z.number().int().nonnegative().max(1_000_000_000).default(0),
});

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
