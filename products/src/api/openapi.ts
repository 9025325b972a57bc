import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { bearerSecurity, errorResponse, invalidResponse, jsonResponse, productSchema, registerBearerAuth, unauthorizedResponse } from '@shop/common/openapi';
import { z } from 'zod';
import { categoryParams, productChangesSchema, productIdParams, productIdsBody, productInputSchema, productSearchQuery } from './schemas';

/*
 * The products service's part of the API document. Requests are described by the very schemas
 * that routes.ts validates with (./schemas); the answers by the schemas below, which follow
 * domain/product-view.ts and services/queries/catalogue-queries.ts.
 */

const TAG = 'products';

const product = productSchema;

const catalogue = z.object({ products: z.array(product), categories: z.array(z.string()) }).meta({ id: 'Catalogue' });

const productPage = z.object({ products: z.array(product), total: z.number().int(), page: z.number().int(), limit: z.number().int() }).meta({ id: 'ProductPage' });

const json = jsonResponse;
const failure = errorResponse;
const admin = bearerSecurity;
const invalid = invalidResponse;
const unauthorized = unauthorizedResponse;
const forbidden = failure('FORBIDDEN: the caller is not an admin');
const notFound = failure('PRODUCT_NOT_FOUND');

/** Registers the products service's routes (see routes.ts) with their request and answer schemas. */
export function registerProductsApi(registry: OpenAPIRegistry): void {
  registerBearerAuth(registry);

  registry.registerPath({
    method: 'get',
    path: '/',
    tags: [TAG],
    summary: 'The whole catalogue and its categories',
    responses: { 200: json('Every product and every category', catalogue) },
  });

  registry.registerPath({
    method: 'get',
    path: '/products',
    tags: [TAG],
    summary: 'Search the catalogue, a page at a time',
    request: { query: productSearchQuery },
    responses: { 200: json('One page of the matching products', productPage), 400: invalid },
  });

  registry.registerPath({
    method: 'get',
    path: '/category/{type}',
    tags: [TAG],
    summary: 'The products of one category',
    request: { params: categoryParams },
    responses: { 200: json('The products of that type', z.array(product)), 400: invalid },
  });

  registry.registerPath({
    method: 'post',
    path: '/ids',
    tags: [TAG],
    summary: 'The products with these ids (each once; unknown ids are left out)',
    request: { body: { required: true, content: { 'application/json': { schema: productIdsBody } } } },
    responses: { 200: json('Those products', z.array(product)), 400: invalid },
  });

  registry.registerPath({
    method: 'post',
    path: '/product/create',
    tags: [TAG],
    summary: 'Create a product (admin)',
    security: admin,
    request: { body: { required: true, content: { 'application/json': { schema: productInputSchema } } } },
    responses: { 201: json('The new product', product), 400: invalid, 401: unauthorized, 403: forbidden },
  });

  registry.registerPath({
    method: 'put',
    path: '/product/{id}',
    tags: [TAG],
    summary: 'Change some fields of a product (admin)',
    security: admin,
    request: { params: productIdParams, body: { required: true, content: { 'application/json': { schema: productChangesSchema } } } },
    responses: {
      200: json('The changed product', product),
      400: invalid,
      401: unauthorized,
      403: forbidden,
      404: notFound,
      409: failure('CONCURRENT_CHANGE: changed at the same time; try again'),
    },
  });

  registry.registerPath({
    method: 'delete',
    path: '/product/{id}',
    tags: [TAG],
    summary: 'Delete a product (admin)',
    security: admin,
    request: { params: productIdParams },
    responses: { 200: json('The deleted product', product), 400: invalid, 401: unauthorized, 403: forbidden, 404: notFound },
  });

  registry.registerPath({
    method: 'get',
    path: '/{id}',
    tags: [TAG],
    summary: 'One product',
    request: { params: productIdParams },
    responses: { 200: json('The product', product), 400: failure('VALIDATION_FAILED: a malformed id'), 404: notFound },
  });
}
