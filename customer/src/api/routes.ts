import { callerOf, clientKey, parseBody, parseParams, rateLimiter, requireAuth, type TokenSettings } from '@shop/common';
import { Router, type Request, type RequestHandler } from 'express';
import { normaliseEmail } from '../domain/email';
import { addAddress } from '../services/commands/add-address';
import { addToWishlist } from '../services/commands/add-to-wishlist';
import { endSession } from '../services/commands/end-session';
import { logIn } from '../services/commands/log-in';
import { refreshSession } from '../services/commands/refresh-session';
import { removeFromWishlist } from '../services/commands/remove-from-wishlist';
import { signUp } from '../services/commands/sign-up';
import type { AccountsContext, ProfilesContext, SessionsContext } from '../services/context';
import { getProfile } from '../services/queries/get-profile';
import { getWishlist } from '../services/queries/get-wishlist';
import { addressBody, logInBody, productIdParams, refreshBody, signUpBody, wishlistBody } from './schemas';

export interface AbuseLimits {
  loginPerIp: number;
  loginFailuresPerAccount: number;
  signupPerIp: number;
}

export interface CustomerRoutesDependencies {
  accounts: AccountsContext;
  sessions: SessionsContext;
  profiles: ProfilesContext;
  tokens: TokenSettings;
  limits: AbuseLimits;
}

const MINUTE = 60_000;

/**
 * Wrong passwords are counted per account and client address together: guessing from one address
 * is stopped, while the owner (from any other address) can always log in. A malformed request
 * (400) is not a guess and never counts.
 */
const accountAndAddressOf = (req: Request): string => {
  const account = typeof req.body?.email === 'string' ? normaliseEmail(req.body.email).slice(0, 254) : '?';
  return `account:${account}|address:${clientKey(req)}`;
};
const isWrongPassword = (status: number): boolean => status === 401;

export function customerRoutes({ accounts, sessions, profiles, tokens, limits }: CustomerRoutesDependencies): Router {
  const router = Router();
  const signedIn = requireAuth(tokens);
  const loginLimits = [
    rateLimiter({ limit: limits.loginPerIp, windowMs: MINUTE, message: 'Too many log-ins from this address; try again later' }),
    rateLimiter({
      limit: limits.loginFailuresPerAccount,
      windowMs: 15 * MINUTE,
      key: accountAndAddressOf,
      counts: isWrongPassword,
      message: 'Too many failed log-ins for this account from this address; try again later',
    }),
  ];
  const signupLimit = rateLimiter({ limit: limits.signupPerIp, windowMs: 10 * MINUTE, message: 'Too many sign-ups from this address; try again later' });

  router.post('/customer/signup', signupLimit, async (req, res) => {
    res.status(201).json(await signUp(accounts, parseBody(signUpBody, req)));
  });

  router.post('/customer/login', ...loginLimits, async (req, res) => {
    res.json(await logIn(accounts, parseBody(logInBody, req)));
  });

  router.post('/customer/token', async (req, res) => {
    res.json(await refreshSession(sessions, parseBody(refreshBody, req).refreshToken));
  });

  router.post('/customer/logout', signedIn, async (req, res) => {
    await endSession(sessions, callerOf(req).customerId, parseBody(refreshBody, req).refreshToken);
    res.status(204).end();
  });

  // The original's two names for the customer view: one answer.
  const profile: RequestHandler = async (req, res) => {
    res.json(await getProfile(profiles, callerOf(req).customerId));
  };
  router.get('/customer/profile', signedIn, profile);

  router.post('/customer/address', signedIn, async (req, res) => {
    res.status(201).json(await addAddress(profiles, callerOf(req).customerId, parseBody(addressBody, req)));
  });

  router.get('/customer/shoping-details', signedIn, profile);

  router.get('/customer/wishlist', signedIn, async (req, res) => {
    res.json(await getWishlist(profiles, callerOf(req).customerId));
  });

  router.put('/wishlist', signedIn, async (req, res) => {
    const { _id } = parseBody(wishlistBody, req);
    res.json(await addToWishlist(profiles, callerOf(req).customerId, _id));
  });

  router.delete('/wishlist/:id', signedIn, async (req, res) => {
    const { id } = parseParams(productIdParams, req);
    res.json(await removeFromWishlist(profiles, callerOf(req).customerId, id));
  });

  return router;
}
