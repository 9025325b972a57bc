import { asyncHandler, callerOf, parseBody, parseParams, requireAuth, type TokenSettings } from '@shop/common';
import { Router } from 'express';
import type { Accounts } from '../services/accounts';
import type { Profiles } from '../services/profiles';
import { addressBody, logInBody, productIdParams, signUpBody, wishlistBody } from './schemas';

export interface CustomerRoutesDependencies {
  accounts: Accounts;
  profiles: Profiles;
  tokens: TokenSettings;
}

export function customerRoutes({ accounts, profiles, tokens }: CustomerRoutesDependencies): Router {
  const router = Router();
  const signedIn = requireAuth(tokens);

  router.post('/customer/signup', asyncHandler(async (req, res) => {
    res.status(201).json(await accounts.signUp(parseBody(signUpBody, req)));
  }));

  router.post('/customer/login', asyncHandler(async (req, res) => {
    res.json(await accounts.logIn(parseBody(logInBody, req)));
  }));

  router.get('/customer/profile', signedIn, asyncHandler(async (req, res) => {
    res.json(await profiles.getProfile(callerOf(req).customerId));
  }));

  router.post('/customer/address', signedIn, asyncHandler(async (req, res) => {
    res.status(201).json(await profiles.addAddress(callerOf(req).customerId, parseBody(addressBody, req)));
  }));

  router.get('/customer/shoping-details', signedIn, asyncHandler(async (req, res) => {
    res.json(await profiles.getProfile(callerOf(req).customerId));
  }));

  router.get('/customer/wishlist', signedIn, asyncHandler(async (req, res) => {
    res.json(await profiles.getWishlist(callerOf(req).customerId));
  }));

  router.put('/wishlist', signedIn, asyncHandler(async (req, res) => {
    const { _id } = parseBody(wishlistBody, req);
    res.json(await profiles.addToWishlist(callerOf(req).customerId, _id));
  }));

  router.delete('/wishlist/:id', signedIn, asyncHandler(async (req, res) => {
    const { id } = parseParams(productIdParams, req);
    res.json(await profiles.removeFromWishlist(callerOf(req).customerId, id));
  }));

  return router;
}
