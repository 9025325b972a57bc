import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { bearerSecurity, cartLineSchema, errorResponse, invalidResponse, jsonResponse, registerBearerAuth, unauthorizedResponse } from '@shop/common/openapi';
import { lineProductSchema, ORDER_STATUSES } from '@shop/common';
import { z } from 'zod';
import { cartLineBody, orderIdParams, placeOrderBody, productIdParams } from './schemas';

/*
 * The shopping service's part of the API document. Requests are described by the very schemas
 * that routes.ts validates with (./schemas); the answers by the schemas below, which follow
 * the use cases of services/ and domain/order.ts.
 */

const TAG = 'shopping';

const removedLine = z.object({ product: lineProductSchema, unit: z.literal(0) }).meta({ id: 'RemovedCartLine' });

const cart = z.object({ _id: z.string().meta({ description: 'The cart is keyed by its customer' }), customerId: z.string(), items: z.array(cartLineSchema) }).meta({ id: 'Cart' });

const order = z
  .object({
    orderId: z.string(),
    customerId: z.string(),
    amount: z.number(),
    status: z
      .enum(ORDER_STATUSES)
      .meta({ description: "received, then confirmed or rejected once products has reserved the stock; cancelling, then cancelled once a cancelled order's stock is back" }),
    items: z.array(cartLineSchema),
    txnNumber: z.string().nullable(),
    reason: z.string().optional().meta({ description: 'Why the order was rejected' }),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'Order' });

const json = jsonResponse;
const failure = errorResponse;
// Every shopping route requires a signed-in caller (routes.ts: router.use(requireAuth(tokens))).
const bearer = bearerSecurity;
const invalid = invalidResponse;
const unauthorized = unauthorizedResponse;

/** Registers the shopping service's routes (see routes.ts) with their request and answer schemas. */
export function registerShoppingApi(registry: OpenAPIRegistry): void {
  registerBearerAuth(registry);

  registry.registerPath({
    method: 'get',
    path: '/shopping/cart',
    tags: [TAG],
    summary: "The caller's cart at current prices",
    description: 'As the original answered it: an array holding the cart document (with no items when the cart is empty).',
    security: bearer,
    responses: { 200: json('An array holding the cart', z.array(cart).length(1)), 401: unauthorized },
  });

  registry.registerPath({
    method: 'put',
    path: '/cart',
    tags: [TAG],
    summary: 'Set how many of a product the cart holds',
    security: bearer,
    request: { body: { required: true, content: { 'application/json': { schema: cartLineBody } } } },
    responses: {
      200: json('The cart line as set', cartLineSchema),
      400: invalid,
      401: unauthorized,
      404: failure('PRODUCT_NOT_FOUND'),
      409: failure('PRODUCT_UNAVAILABLE, or CONCURRENT_CHANGE'),
    },
  });

  registry.registerPath({
    method: 'delete',
    path: '/cart/{id}',
    tags: [TAG],
    summary: 'Remove a product from the cart (idempotent)',
    security: bearer,
    request: { params: productIdParams },
    responses: {
      200: json('The removed line, with unit 0', removedLine),
      400: invalid,
      401: unauthorized,
      404: failure('PRODUCT_NOT_FOUND'),
      409: failure('CONCURRENT_CHANGE'),
    },
  });

  registry.registerPath({
    method: 'post',
    path: '/shopping/order',
    tags: [TAG],
    summary: 'Turn the cart into an order',
    description: 'Idempotent: a repeated txnNumber, or a retry for the same cart, answers 200 with the first order.',
    security: bearer,
    request: { body: { required: false, content: { 'application/json': { schema: placeOrderBody } } } },
    responses: {
      201: json('The new order', order),
      200: json('The order placed earlier for this txnNumber or this cart', order),
      400: invalid,
      401: unauthorized,
      409: failure('EMPTY_CART, or PRODUCT_UNAVAILABLE'),
    },
  });

  registry.registerPath({
    method: 'get',
    path: '/shopping/orders',
    tags: [TAG],
    summary: "The caller's orders, newest first",
    security: bearer,
    responses: { 200: json('The orders', z.array(order)), 401: unauthorized },
  });

  registry.registerPath({
    method: 'get',
    path: '/shopping/orders/{id}',
    tags: [TAG],
    summary: "One of the caller's orders",
    security: bearer,
    request: { params: orderIdParams },
    responses: { 200: json('The order', order), 400: invalid, 401: unauthorized, 404: failure('ORDER_NOT_FOUND') },
  });

  registry.registerPath({
    method: 'post',
    path: '/shopping/orders/{id}/cancel',
    tags: [TAG],
    summary: "Cancel one of the caller's orders",
    description:
      'A received or confirmed order becomes `cancelling` at once and `cancelled` when products has put its stock back. ' +
      'Idempotent: cancelling again answers the order as it is.',
    security: bearer,
    request: { params: orderIdParams },
    responses: {
      200: json('The order, cancelling or cancelled', order),
      400: invalid,
      401: unauthorized,
      404: failure('ORDER_NOT_FOUND'),
      409: failure('ORDER_NOT_CANCELLABLE: the order was rejected'),
    },
  });
}
