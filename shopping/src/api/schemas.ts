import { objectIdString } from '@shop/common';
import { z } from 'zod';

export const MAX_UNITS_PER_LINE = 1000;

export const cartLineBody = z.object({
  _id: objectIdString,
  qty: z.number().int('must be a whole number').positive().max(MAX_UNITS_PER_LINE),
});

export const productIdParams = z.object({ id: objectIdString });

export const placeOrderBody = z.object({
  /** The client's idempotency key: the same one twice gives the first order back. */
  txnNumber: z.union([z.string().trim().min(1).max(100), z.number().int().nonnegative().transform(String)]).nullish(),
});

export const orderIdParams = z.object({ id: z.string().min(1).max(200) });
