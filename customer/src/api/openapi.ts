import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { bearerSecurity, cartLineSchema, errorResponse, invalidResponse, jsonResponse, productSchema, registerBearerAuth, unauthorizedResponse } from '@shop/common/openapi';
import { ORDER_STATUSES } from '@shop/common';
import { z } from 'zod';
import { addressBody, logInBody, productIdParams, refreshBody, signUpBody, wishlistBody } from './schemas';

/*
 * The customer service's part of the API document. Requests are described by the very schemas
 * that routes.ts validates with (./schemas); the answers by the schemas below, which follow
 * the use cases of services/ (sessions, profiles) and domain/customer-view.ts.
 */

const TAG = 'customer';

const session = z
  .object({
    id: z.string(),
    token: z.string().meta({ description: 'A bearer access token (JWT, RS256), valid for JWT_EXPIRES_IN (15 minutes)' }),
    refreshToken: z.string().meta({ description: 'Exchanged once at POST /customer/token for a new pair; valid for REFRESH_TOKEN_EXPIRES_IN (14 days)' }),
  })
  .meta({ id: 'Session' });

const address = z.object({ _id: z.string(), street: z.string(), postalCode: z.string(), city: z.string(), country: z.string() }).meta({ id: 'Address' });

const product = productSchema;

const orderSummary = z
  .object({
    _id: z.string(),
    orderId: z.string(),
    amount: z.number(),
    status: z.enum(ORDER_STATUSES),
    items: z.array(cartLineSchema),
    txnNumber: z.string().nullable(),
    date: z.iso.datetime(),
    reason: z.string().optional().meta({ description: 'Why the order was rejected' }),
  })
  .meta({ id: 'OrderSummary' });

const profile = z
  .object({
    _id: z.string(),
    email: z.string(),
    phone: z.string(),
    role: z.enum(['customer', 'admin']),
    address: z.array(address),
    wishlist: z.array(product),
    cart: z.array(cartLineSchema),
    orders: z.array(orderSummary).meta({ description: 'Newest first' }),
  })
  .meta({ id: 'CustomerProfile' });

const json = jsonResponse;
const failure = errorResponse;
const bearer = bearerSecurity;
const invalid = invalidResponse;
const unauthorized = unauthorizedResponse;

/** Registers the customer service's routes (see routes.ts) with their request and answer schemas. */
export function registerCustomerApi(registry: OpenAPIRegistry): void {
  registerBearerAuth(registry);

  registry.registerPath({
    method: 'post',
    path: '/customer/signup',
    tags: [TAG],
    summary: 'Sign up',
    request: { body: { required: true, content: { 'application/json': { schema: signUpBody } } } },
    responses: { 201: json('The new account and its token', session), 400: invalid, 409: failure('EMAIL_TAKEN') },
  });

  registry.registerPath({
    method: 'post',
    path: '/customer/login',
    tags: [TAG],
    summary: 'Log in',
    request: { body: { required: true, content: { 'application/json': { schema: logInBody } } } },
    responses: { 200: json('The account and a new token', session), 400: invalid, 401: failure('INVALID_CREDENTIALS') },
  });

  registry.registerPath({
    method: 'post',
    path: '/customer/token',
    tags: [TAG],
    summary: 'A new access token and refresh token for a refresh token, which is spent (using it again ends its session)',
    request: { body: { required: true, content: { 'application/json': { schema: refreshBody } } } },
    responses: { 200: json('A new pair, with the role the account has now', session), 400: invalid, 401: failure('INVALID_REFRESH_TOKEN: unknown, expired, spent or revoked') },
  });

  registry.registerPath({
    method: 'post',
    path: '/customer/logout',
    tags: [TAG],
    summary: "Log out: the refresh token's session ends (the access token lives on until it expires)",
    security: bearer,
    request: { body: { required: true, content: { 'application/json': { schema: refreshBody } } } },
    responses: { 204: { description: 'The session is over' }, 400: invalid, 401: unauthorized },
  });

  registry.registerPath({
    method: 'get',
    path: '/customer/profile',
    tags: [TAG],
    summary: "The caller's profile, with wishlist, cart and orders",
    security: bearer,
    responses: { 200: json('The profile', profile), 401: unauthorized, 404: failure('CUSTOMER_NOT_FOUND') },
  });

  registry.registerPath({
    method: 'post',
    path: '/customer/address',
    tags: [TAG],
    summary: 'Add an address',
    security: bearer,
    request: { body: { required: true, content: { 'application/json': { schema: addressBody } } } },
    responses: { 201: json('The profile with the new address', profile), 400: invalid, 401: unauthorized, 404: failure('CUSTOMER_NOT_FOUND') },
  });

  registry.registerPath({
    method: 'get',
    path: '/customer/shoping-details',
    tags: [TAG],
    summary: 'The customer view: cart and orders as the events report them (same shape as the profile)',
    security: bearer,
    responses: { 200: json('The customer view', profile), 401: unauthorized, 404: failure('CUSTOMER_NOT_FOUND') },
  });

  registry.registerPath({
    method: 'get',
    path: '/customer/wishlist',
    tags: [TAG],
    summary: "The caller's wishlist",
    security: bearer,
    responses: { 200: json('The products, in the order they were added', z.array(product)), 401: unauthorized, 404: failure('CUSTOMER_NOT_FOUND') },
  });

  registry.registerPath({
    method: 'put',
    path: '/wishlist',
    tags: [TAG],
    summary: 'Add a product to the wishlist (twice keeps one entry)',
    security: bearer,
    request: { body: { required: true, content: { 'application/json': { schema: wishlistBody } } } },
    responses: { 200: json('The product', product), 400: invalid, 401: unauthorized, 404: failure('PRODUCT_NOT_FOUND') },
  });

  registry.registerPath({
    method: 'delete',
    path: '/wishlist/{id}',
    tags: [TAG],
    summary: 'Remove a product from the wishlist (idempotent)',
    security: bearer,
    request: { params: productIdParams },
    responses: {
      200: json('The product (only its _id when the catalogue no longer has it)', product),
      400: invalid,
      401: unauthorized,
      404: failure('PRODUCT_NOT_FOUND'),
    },
  });
}
