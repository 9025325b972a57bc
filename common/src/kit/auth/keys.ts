import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';

/** RSA below this is breakable, and jsonwebtoken refuses to sign with it. */
export const MIN_RSA_BITS = 2048;

/** A key from the environment: a literal "\n" stands for a line break, so that a PEM fits one line of an env file. */
function pemText(value: string): string {
  return `${value.replace(/\\n/g, '\n').trim()}\n`;
}

function requireRsa(key: KeyObject): KeyObject {
  if (key.asymmetricKeyType !== 'rsa') throw new Error('must be an RSA key (RS256)');
  if ((key.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_RSA_BITS) throw new Error(`must be an RSA key of at least ${MIN_RSA_BITS} bits`);
  return key;
}

function isPrivateKey(pem: string): boolean {
  try {
    createPrivateKey(pem);
    return true;
  } catch {
    return false;
  }
}

/** The signing key (customer only), from PEM (PKCS#8 or PKCS#1). */
export function parsePrivateKey(value: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(pemText(value));
  } catch {
    throw new Error('must be a private key in PEM');
  }
  return requireRsa(key);
}

/**
 * The verifying key, from PEM. A private key is refused here: Node would quietly take its public
 * half, and the private key would travel to services that must never hold it.
 */
export function parsePublicKey(value: string): KeyObject {
  const pem = pemText(value);
  if (isPrivateKey(pem)) throw new Error('is a private key: give only the public key (openssl pkey -pubout)');
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    throw new Error('must be a public key in PEM');
  }
  return requireRsa(key);
}

/** Names the key pair a private or public key belongs to: SHA-256 of its public key (SPKI DER), hex. */
export function keyFingerprint(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex');
}
