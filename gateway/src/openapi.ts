import { isDeepStrictEqual } from 'node:util';
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { errorResponse, jsonResponse } from '@shop/common/openapi';
import { z } from 'zod';
import type { UpstreamName } from './config';

/*
 * The API document of the whole shop: each service describes its own routes from the zod schemas
 * it validates requests with (<service>/src/api/openapi.ts); buildOpenApiDocument merges them with
 * the gateway's own routes. scripts/openapi.ts runs the merge and writes the result to
 * openapi.generated.ts, which the gateway serves: the gateway never loads the services' code, so
 * it runs (and ships) with its own build alone. gateway/src/openapi.test.ts fails when that file
 * is stale, when a route has no documentation, or when the document names a route that no router has.
 */

export type OpenApiDocument = ReturnType<OpenApiGeneratorV31['generateDocument']>;

/** What each service exports: registers its paths, and the components they use, on a registry. */
export type ApiRegistration = (registry: OpenAPIRegistry) => void;

const INFO = {
  title: 'microservices-shop',
  version: '1.0.0',
  description: [
    'The public API of the shop, through the gateway. Bearer tokens come from sign-up and log-in (`Authorization: Bearer <token>`).',
    '',
    'Every error is JSON: `{"error": {"code": "SNAKE_CASE", "message": "...", "details"?: [...]}}`. Besides the answers listed for',
    'each operation: 413 `PAYLOAD_TOO_LARGE`, 500 `INTERNAL_ERROR`, 502 `BAD_GATEWAY`, 503 `SERVICE_UNAVAILABLE` or',
    '`DATABASE_UNAVAILABLE`, and 504 `UPSTREAM_TIMEOUT` (a service did not answer in time). Unknown paths answer 404',
    '`ROUTE_NOT_FOUND`; paths with a trailing slash work like those without.',
  ].join('\n'),
};

const TAGS = [
  { name: 'customer', description: 'Accounts, profile, addresses and wishlist (the customer service)' },
  { name: 'products', description: 'The catalogue (the products service)' },
  { name: 'shopping', description: 'Cart and orders (the shopping service)' },
  { name: 'gateway', description: 'The gateway itself: health, this documentation and the product pictures' },
];

const readiness = z.enum(['ready', 'not-ready']);
const services = z.object({ customer: readiness, products: readiness, shopping: readiness });

const health = z.object({ status: z.literal('ok'), services }).meta({ id: 'Health' });

const notReady = z
  .object({
    error: z.object({
      code: z.literal('SERVICES_NOT_READY'),
      message: z.string().meta({ example: 'Not ready: shopping' }),
      details: z.object({ services }),
    }),
  })
  .meta({ id: 'ServicesNotReady' });

const json = jsonResponse;

/** The gateway's own routes (app.ts): they never reach a service. */
export function registerGatewayApi(registry: OpenAPIRegistry): void {
  registry.registerPath({
    method: 'get',
    path: '/health',
    tags: ['gateway'],
    summary: 'Whether every instance of every service is ready',
    responses: { 200: json('Every service is ready', health), 503: json('Some service is not ready', notReady) },
  });

  registry.registerPath({
    method: 'get',
    path: '/openapi.json',
    tags: ['gateway'],
    summary: 'This document (OpenAPI 3.1)',
    responses: { 200: { description: 'The OpenAPI document', content: { 'application/json': { schema: { type: 'object' } } } } },
  });

  registry.registerPath({
    method: 'get',
    path: '/docs',
    tags: ['gateway'],
    summary: 'This document in Swagger UI',
    responses: { 200: { description: 'An HTML page', content: { 'text/html': { schema: { type: 'string' } } } } },
  });

  registry.registerPath({
    method: 'get',
    path: '/images/{file}',
    tags: ['gateway'],
    summary: "A product's picture, as its `banner` names it",
    description: 'Cached for a day (`Cache-Control: public, max-age=86400, immutable`) and revalidated by `ETag`.',
    request: { params: z.object({ file: z.string().meta({ example: 'apples.jpg' }) }) },
    responses: {
      200: { description: 'The picture', content: { 'image/jpeg': { schema: { type: 'string', format: 'binary' } } } },
      304: { description: 'Not modified since the ETag given in If-None-Match' },
      404: errorResponse('IMAGE_NOT_FOUND'),
    },
  });
}

/**
 * One OpenAPI 3.1 document from the services' registrations and the gateway's own. Each part is
 * generated on its own (so each stands alone), then merged; a path documented twice, or a
 * component that two parts define differently, is an error rather than a silent overwrite.
 */
export function buildOpenApiDocument(registrations: Record<UpstreamName, ApiRegistration>): OpenApiDocument {
  const document: OpenApiDocument = { openapi: '3.1.0', info: INFO, tags: TAGS, paths: {}, components: {} };
  const paths = document.paths!;
  const components = document.components as Record<string, Record<string, unknown>>;
  const owners = new Map<string, string>();
  const parts: Array<[string, ApiRegistration]> = [...Object.entries(registrations), ['gateway', registerGatewayApi]];
  for (const [part, register] of parts) {
    const registry = new OpenAPIRegistry();
    register(registry);
    const generated = new OpenApiGeneratorV31(registry.definitions).generateDocument({ openapi: '3.1.0', info: INFO });
    for (const [route, item] of Object.entries(generated.paths ?? {})) {
      for (const [method, operation] of Object.entries(item)) {
        const key = `${method.toUpperCase()} ${route}`;
        if (owners.has(key)) throw new Error(`${key} is documented by both ${owners.get(key)} and ${part}`);
        owners.set(key, part);
        paths[route] = { ...paths[route], [method]: operation };
      }
    }
    for (const [type, named] of Object.entries(generated.components ?? {}) as Array<[string, Record<string, unknown>]>) {
      for (const [name, component] of Object.entries(named)) {
        const existing = components[type]?.[name];
        if (existing !== undefined && !isDeepStrictEqual(existing, component)) {
          throw new Error(`components.${type}.${name} differs between ${owners.get(`${type}/${name}`)} and ${part}`);
        }
        owners.set(`${type}/${name}`, owners.get(`${type}/${name}`) ?? part);
        components[type] = { ...components[type], [name]: component };
      }
    }
  }
  return document;
}
