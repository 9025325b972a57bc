import type { KeyObject } from 'node:crypto';
import { keyFingerprint } from '../auth/keys';

/**
 * Values that stand in this repository (.env.dev, the tests): whoever reads the code
 * knows them, so production refuses them. common/src/kit/config/load-config.test.ts keeps this list
 * in step with .env.dev.
 */
const PUBLISHED_SECRETS = new Set(['admin-password-change-me', 'admin-password']);

/**
 * The token key pair of .env.dev, by fingerprint: its private half is public, so a service that
 * verifies with it would accept tokens anyone can sign. Refused in production, either half.
 */
const PUBLISHED_KEY_FINGERPRINTS = new Set(['2bcfc2c2fb0850637287c379ea4a3e0b1a6f6d21464f1e3ee5e24504e1189ca3']);

/** Why a production token key is unfit, or undefined when it is fit. */
export function productionKeyProblem(key: KeyObject): string | undefined {
  if (!PUBLISHED_KEY_FINGERPRINTS.has(keyFingerprint(key))) return undefined;
  return 'is the development key pair published in this repository; generate a pair of your own (README, Running it in production)';
}

/** A secret must be about as hard to guess as 128 random bits (16 random bytes). */
export const MIN_SECRET_BITS = 128;

/**
 * Bits of randomness, estimated as the length times the Shannon entropy of the secret's own
 * characters: 32 × "a" has 0, a repeated or small-alphabet secret little, 32 random bytes in
 * base64 about 200. It cannot see a sequence or a phrase: generate secrets, do not invent them.
 */
export function estimatedSecretBits(secret: string): number {
  const characters = [...secret];
  const counts = new Map<string, number>();
  for (const character of characters) counts.set(character, (counts.get(character) ?? 0) + 1);
  let bitsPerCharacter = 0;
  for (const count of counts.values()) {
    const p = count / characters.length;
    bitsPerCharacter -= p * Math.log2(p);
  }
  return Math.floor(bitsPerCharacter * characters.length);
}

/** Why a production secret is unfit, or undefined when it is fit. */
export function productionSecretProblem(name: string, secret: string | undefined): string | undefined {
  const advice = 'set a random one, e.g. `openssl rand -base64 32`';
  if (!secret) return `is required in production (or ${name}_FILE, naming a file that holds it)`;
  if (PUBLISHED_SECRETS.has(secret)) return `is a development value published in this repository; ${advice}`;
  const bits = estimatedSecretBits(secret);
  if (bits < MIN_SECRET_BITS) return `is too predictable (about ${bits} bits of randomness, at least ${MIN_SECRET_BITS} needed); ${advice}`;
  return undefined;
}
