import { createHmac, generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { keyFingerprint, parsePrivateKey, parsePublicKey } from './keys';
import { signAccessToken, verifyAccessToken, type SigningSettings, type TokenSettings } from './tokens';

const pair = () => generateKeyPairSync('rsa', { modulusLength: 2048 });
const ours = pair();
const theirs = pair();
const settings: SigningSettings = { privateKey: ours.privateKey, publicKey: ours.publicKey, issuer: 'shop', audience: 'shop-api' };
const verifying: TokenSettings = { publicKey: ours.publicKey, issuer: 'shop', audience: 'shop-api' };
const caller = { customerId: 'c-1', role: 'customer' as const };
const now = () => Math.floor(Date.now() / 1000);
const claims = { role: 'admin', sub: 'c-1', iss: settings.issuer, aud: settings.audience };
const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('access tokens', () => {
  it('verifies a token it signed with the private key, with the public key alone', () => {
    expect(verifyAccessToken(signAccessToken(caller, settings), verifying)).toEqual(caller);
  });

  it('refuses a token signed with another key pair, in either direction', () => {
    const other: SigningSettings = { ...settings, privateKey: theirs.privateKey, publicKey: theirs.publicKey };
    expect(() => verifyAccessToken(signAccessToken(caller, other), verifying)).toThrow('The token is not valid');
    expect(() => verifyAccessToken(signAccessToken(caller, settings), other)).toThrow('The token is not valid');
  });

  it('refuses an unsigned token and one of another algorithm, even signed with our own key', () => {
    const unsigned = jwt.sign(claims, '', { algorithm: 'none' });
    const rs512 = jwt.sign({ ...claims, iat: now(), exp: now() + 60 }, ours.privateKey, { algorithm: 'RS512' });
    const ps256 = jwt.sign({ ...claims, iat: now(), exp: now() + 60 }, ours.privateKey, { algorithm: 'PS256' });
    for (const token of [unsigned, rs512, ps256]) expect(() => verifyAccessToken(token, verifying)).toThrow('The token is not valid');
  });

  // Algorithm confusion: the public key is public, so a verifier that let the token pick HS256 would
  // take it as an HMAC secret, and anyone could sign.
  it('refuses HS256 signed with the public key as its secret', () => {
    const publicPem = ours.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const unsignedPart = `${base64url({ alg: 'HS256', typ: 'JWT' })}.${base64url({ ...claims, iat: now(), exp: now() + 60 })}`;
    for (const secret of [publicPem, ours.publicKey.export({ type: 'spki', format: 'der' })]) {
      const forged = `${unsignedPart}.${createHmac('sha256', secret).update(unsignedPart).digest('base64url')}`;
      expect(() => verifyAccessToken(forged, verifying)).toThrow('The token is not valid');
    }
  });

  it('tells an expired token apart', () => {
    const expired = jwt.sign({ role: 'customer', sub: 'c-1', iss: settings.issuer, aud: settings.audience, exp: now() - 10 }, ours.privateKey, { algorithm: 'RS256' });
    expect(() => verifyAccessToken(expired, verifying)).toThrow('The token has expired');
  });

  describe('lifetime', () => {
    const customerClaims = { role: 'customer', sub: 'c-1', iss: settings.issuer, aud: settings.audience };
    // jsonwebtoken adds an iat unless told not to; a given one it keeps.
    const sign = (times: Record<string, number>) => jwt.sign({ ...customerClaims, ...times }, ours.privateKey, { algorithm: 'RS256', noTimestamp: times.iat === undefined });

    it('signs tokens that end after the configured lifetime (15 minutes unless told), read in seconds also from a bare number', () => {
      for (const [expiresIn, seconds] of [
        [undefined, 900],
        ['5m', 300],
        ['600', 600],
        [120, 120],
      ] as const) {
        const { iat, exp } = jwt.decode(signAccessToken(caller, { ...settings, expiresIn })) as { iat: number; exp: number };
        expect({ expiresIn, lifetime: exp - iat }).toEqual({ expiresIn, lifetime: seconds });
      }
    });

    it('refuses a token without an expiry or without an issue time', () => {
      expect(() => verifyAccessToken(sign({ iat: now() }), verifying)).toThrow('The token is not valid');
      expect(() => verifyAccessToken(sign({ exp: now() + 600 }), verifying)).toThrow('The token is not valid');
      expect(verifyAccessToken(sign({ iat: now(), exp: now() + 600 }), verifying)).toEqual(caller);
    });

    it('refuses a token meant to live longer than the configured lifetime, issued too long ago, or issued in the future', () => {
      const quarter = { ...verifying, expiresIn: '15m' };
      expect(() => verifyAccessToken(sign({ iat: now(), exp: now() + 3600 }), quarter)).toThrow('The token is not valid');
      expect(() => verifyAccessToken(sign({ iat: now() - 1800, exp: now() + 60 }), quarter)).toThrow('The token is not valid');
      expect(() => verifyAccessToken(sign({ iat: now() + 600, exp: now() + 900 }), quarter)).toThrow('The token is not valid');
      expect(verifyAccessToken(sign({ iat: now() - 600, exp: now() + 300 }), quarter)).toEqual(caller);
    });

    it('refuses a token older than its lifetime, once its expiry has passed', () => {
      expect(() => verifyAccessToken(sign({ iat: now() - 960, exp: now() - 60 }), { ...verifying, expiresIn: '15m' })).toThrow('The token has expired');
    });
  });
});

describe('token keys', () => {
  const pem = (key: { export: (options: { type: 'spki' | 'pkcs8'; format: 'pem' }) => string | Buffer }, type: 'spki' | 'pkcs8') => key.export({ type, format: 'pem' }).toString();

  it('reads PEM keys, also written on one line with literal \\n, and tells which pair a key belongs to', () => {
    const publicPem = pem(ours.publicKey, 'spki');
    const privatePem = pem(ours.privateKey, 'pkcs8');
    expect(keyFingerprint(parsePublicKey(publicPem.trim().replace(/\n/g, '\\n')))).toBe(keyFingerprint(ours.publicKey));
    expect(keyFingerprint(parsePrivateKey(privatePem))).toBe(keyFingerprint(ours.publicKey));
    expect(keyFingerprint(theirs.privateKey)).not.toBe(keyFingerprint(ours.publicKey));
  });

  it('refuses a private key where the public key belongs, and keys that are not RSA of 2048 bits or more', () => {
    expect(() => parsePublicKey(pem(ours.privateKey, 'pkcs8'))).toThrow('is a private key');
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 });
    expect(() => parsePublicKey(pem(small.publicKey, 'spki'))).toThrow('at least 2048 bits');
    const ed = generateKeyPairSync('ed25519');
    expect(() => parsePrivateKey(pem(ed.privateKey, 'pkcs8'))).toThrow('must be an RSA key');
    expect(() => parsePublicKey('not a key')).toThrow('must be a public key in PEM');
    expect(() => parsePrivateKey(pem(ours.publicKey, 'spki'))).toThrow('must be a private key in PEM');
  });
});
