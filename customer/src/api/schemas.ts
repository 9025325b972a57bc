import { objectIdString } from '@shop/common';
import { z } from 'zod';

const text = (max: number) => z.string().trim().max(max);

/** bcrypt reads at most 72 bytes; a longer password would be silently cut, so it is refused. */
const password = z
  .string()
  .min(8, 'must be at least 8 characters')
  .refine((value) => Buffer.byteLength(value, 'utf8') <= 72, 'must be at most 72 bytes');

export const signUpBody = z.object({
  email: text(254).email(),
  password,
  phone: text(30).regex(/^([+\d][\d\s().-]*)?$/, 'must be a phone number').default(''),
});

export const logInBody = z.object({
  email: text(254).min(1),
  password: z.string().min(1).max(1024),
});

export const addressBody = z.object({
  street: text(200).min(1),
  postalCode: text(20).min(1),
  city: text(100).min(1),
  country: text(100).min(1),
});

export const wishlistBody = z.object({ _id: objectIdString });
export const productIdParams = z.object({ id: objectIdString });
