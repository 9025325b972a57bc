import { objectIdString } from '@shop/common';
import { z } from 'zod';
import { isStrongPassword, WEAK_PASSWORD_MESSAGE } from '../domain/password-strength';

const text = (max: number) => z.string().trim().max(max);

/** Trimmed before the format check: an address pasted with a space around it is still the address. */
const email = z.preprocess((value) => (typeof value === 'string' ? value.trim() : value), z.email().max(254));

const MAX_PASSWORD_BYTES = 72;
const fitsBcrypt = (value: string): boolean => Buffer.byteLength(value, 'utf8') <= MAX_PASSWORD_BYTES;

/** bcrypt reads at most 72 bytes; a longer password would be silently cut, so it is refused. */
const password = z
  .string()
  .min(8, 'must be at least 8 characters')
  .refine(fitsBcrypt, `must be at most ${MAX_PASSWORD_BYTES} bytes`)
  .describe('8 characters to 72 bytes, and hard to guess: common passwords, sequences, repeats and the email are refused');

export const signUpBody = z
  .object({
    email,
    password,
    phone: text(30)
      .regex(/^([+\d][\d\s().-]*)?$/, 'must be a phone number')
      .default(''),
  })
  .superRefine(({ email, password }, ctx) => {
    // Only a password of a sane size is estimated: the estimate's cost grows with the length.
    if (password.length < 8 || !fitsBcrypt(password)) return;
    if (!isStrongPassword(password, [email])) ctx.addIssue({ code: 'custom', path: ['password'], message: WEAK_PASSWORD_MESSAGE });
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

/** A refresh token as sign-up, log-in and refresh give it: 32 random bytes in base64url. */
export const refreshBody = z.object({
  refreshToken: z
    .string()
    .regex(/^[A-Za-z0-9_-]{43}$/, 'must be a refresh token')
    .describe('The refresh token of the last sign-up, log-in or refresh'),
});

export const wishlistBody = z.object({ _id: objectIdString });
export const productIdParams = z.object({ id: objectIdString });
