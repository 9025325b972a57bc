import jwt from 'jsonwebtoken';
import { signAccessToken, verifyAccessToken, type TokenSettings } from './tokens';

const settings: TokenSettings = { secret: 'a'.repeat(32), issuer: 'shop', audience: 'shop-api' };
const otherSecret: TokenSettings = { ...settings, secret: 'b'.repeat(32) };
const caller = { customerId: 'c-1', role: 'customer' as const };

describe('access tokens', () => {
  it('verifies a token it signed, with the caller in it', () => {
    expect(verifyAccessToken(signAccessToken(caller, settings), settings)).toEqual(caller);
  });

  // Keys are made once per secret and kept: each secret must still get its own key.
  it('refuses a token signed with another secret, in either order of first use', () => {
    const mine = signAccessToken(caller, settings);
    const theirs = signAccessToken(caller, otherSecret);
    expect(() => verifyAccessToken(theirs, settings)).toThrow('The token is not valid');
    expect(() => verifyAccessToken(mine, otherSecret)).toThrow('The token is not valid');
    expect(verifyAccessToken(theirs, otherSecret)).toEqual(caller);
  });

  it('refuses an unsigned token and one of another algorithm', () => {
    const claims = { role: 'admin', sub: 'c-1', iss: settings.issuer, aud: settings.audience };
    const unsigned = jwt.sign(claims, '', { algorithm: 'none' });
    const hs512 = jwt.sign(claims, settings.secret, { algorithm: 'HS512' });
    expect(() => verifyAccessToken(unsigned, settings)).toThrow('The token is not valid');
    expect(() => verifyAccessToken(hs512, settings)).toThrow('The token is not valid');
  });

  it('tells an expired token apart', () => {
    const expired = jwt.sign({ role: 'customer', sub: 'c-1', iss: settings.issuer, aud: settings.audience, exp: Math.floor(Date.now() / 1000) - 10 }, settings.secret);
    expect(() => verifyAccessToken(expired, settings)).toThrow('The token has expired');
  });

  describe('lifetime', () => {
    const now = () => Math.floor(Date.now() / 1000);
    const claims = { role: 'customer', sub: 'c-1', iss: settings.issuer, aud: settings.audience };
    // jsonwebtoken adds an iat unless told not to; a given one it keeps.
    const sign = (times: Record<string, number>) => jwt.sign({ ...claims, ...times }, settings.secret, { algorithm: 'HS256', noTimestamp: times.iat === undefined });

    it('signs tokens that end after the configured lifetime, read in seconds also from a bare number', () => {
      for (const [expiresIn, seconds] of [['15m', 900], ['3600', 3600], [120, 120]] as const) {
        const { iat, exp } = jwt.decode(signAccessToken(caller, { ...settings, expiresIn })) as { iat: number; exp: number };
        expect({ expiresIn, lifetime: exp - iat }).toEqual({ expiresIn, lifetime: seconds });
      }
    });

    it('refuses a token without an expiry or without an issue time', () => {
      expect(() => verifyAccessToken(sign({ iat: now() }), settings)).toThrow('The token is not valid');
      expect(() => verifyAccessToken(sign({ exp: now() + 600 }), settings)).toThrow('The token is not valid');
      expect(verifyAccessToken(sign({ iat: now(), exp: now() + 600 }), settings)).toEqual(caller);
    });

    it('refuses a token meant to live longer than the configured lifetime, issued too long ago, or issued in the future', () => {
      const hour = { ...settings, expiresIn: '1h' };
      expect(() => verifyAccessToken(sign({ iat: now(), exp: now() + 3600 * 24 * 365 }), hour)).toThrow('The token is not valid');
      expect(() => verifyAccessToken(sign({ iat: now() - 7200, exp: now() + 600 }), hour)).toThrow('The token is not valid');
      expect(() => verifyAccessToken(sign({ iat: now() + 3000, exp: now() + 3600 }), hour)).toThrow('The token is not valid');
      expect(verifyAccessToken(sign({ iat: now() - 1800, exp: now() + 1800 }), hour)).toEqual(caller);
    });
  });
});
