import { generateKeyPairSync } from 'node:crypto';
import { createLogger, createServiceApp, type TokenSettings } from '@shop/common';
import type { Express, Router } from 'express';
import request from 'supertest';
import { customerRoutes, type CustomerRoutesDependencies } from '../../customer/src/api/routes';
import { productRoutes, type ProductRoutesDependencies } from '../../products/src/api/routes';
import { shopOpenApiDocument } from '../../scripts/openapi';
import { shoppingRoutes, type ShoppingRoutesDependencies } from '../../shopping/src/api/routes';
import { createGatewayApp, ownRoutes } from './app';
import { gatewayConfigSchema, type UpstreamName } from './config';
import { openApiDocument } from './openapi.generated';
import { upstreamFor } from './routing-table';
import { keepAliveAgent, Upstreams } from './upstreams';

/*
 * The document against the code: every route the services' routers and the gateway answer is
 * documented, and every documented operation is a route (same method, same path, Express `:id`
 * being OpenAPI `{id}`), owned by the service that the gateway sends that path to, with bearer
 * security exactly where the route refuses a caller without a token.
 */

type Owner = UpstreamName | 'gateway';

interface Layer {
  route?: { path: string | RegExp; methods: Record<string, boolean> };
  handle: { stack?: Layer[] };
  /** Mounted at the root (`router.use(fn)`): its routes are the app's own. */
  slash: boolean;
}

const tokens: TokenSettings = { publicKey: generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey, issuer: 'test', audience: 'test' };
// Only the routers' shape is read, and handlers are called only to see whether they ask for a token.
const none = {} as never;
const serviceRouters: Record<UpstreamName, Router> = {
  customer: customerRoutes({
    accounts: none,
    sessions: none,
    profiles: none,
    tokens,
    limits: { loginPerIp: 0, loginFailuresPerAccount: 0, signupPerIp: 0 },
  } satisfies CustomerRoutesDependencies),
  products: productRoutes({ queries: none, commands: none, tokens } satisfies ProductRoutesDependencies),
  shopping: shoppingRoutes({ carts: none, orders: none, tokens } satisfies ShoppingRoutesDependencies),
};

/** `METHOD /path` of every route in a stack, and in routers mounted at the root of it (not assets under /docs/). */
function routesOf(stack: Layer[]): string[] {
  return stack.flatMap((layer) => {
    if (layer.route) {
      const { path, methods } = layer.route;
      if (typeof path !== 'string') throw new Error(`a route with a non-string path (${String(path)}) cannot be checked against the document`);
      const openApiPath = path.replace(/:(\w+)/g, '{$1}');
      return Object.keys(methods).map((method) => `${method.toUpperCase()} ${openApiPath}`);
    }
    return layer.handle.stack && layer.slash ? routesOf(layer.handle.stack) : [];
  });
}

function documentedOperations(document: { paths?: unknown }): Array<{ key: string; tags: string[]; secured: boolean; parameters: Array<{ in: string; name: string }> }> {
  const paths = document.paths as Record<string, Record<string, { tags?: string[]; security?: unknown[]; parameters?: Array<{ in: string; name: string }> }>>;
  return Object.entries(paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => ({
      key: `${method.toUpperCase()} ${path}`,
      tags: operation.tags ?? [],
      secured: (operation.security ?? []).length > 0,
      parameters: operation.parameters ?? [],
    })),
  );
}

/** The documented operations that are routes (the others fail the test that compares the two lists). */
const documentedRoutes = () => documentedOperations(live).filter((operation) => routes.has(operation.key));

/** A concrete path for a route, for calling it: every parameter becomes a well-formed id. */
const samplePath = (openApiPath: string) => openApiPath.replace(/\{\w+\}/g, '0123456789abcdef01234567');

const live = shopOpenApiDocument();
// Port 9 (discard): nothing answers there, so /health answers 503 at once.
const gatewayConfig = gatewayConfigSchema.parse({ CUSTOMER_URL: 'http://127.0.0.1:9', PRODUCTS_URL: 'http://127.0.0.1:9', SHOPPING_URL: 'http://127.0.0.1:9' });
const gateway: Express = createGatewayApp(gatewayConfig, createLogger({ service: 'gateway', silent: true }));

/** Every real route, and who answers it: the gateway itself, or the service behind it. */
const routes = new Map<string, Owner>();
const answeredTwice: string[] = [];
const listed: Array<[Owner, Layer[]]> = [
  ...(Object.entries(serviceRouters) as Array<[UpstreamName, Router]>).map(([service, router]): [Owner, Layer[]] => [service, router.stack as unknown as Layer[]]),
  // The app's own layers, and the router it hands the paths it answers itself to.
  ['gateway', [...gateway.router.stack, ...ownRoutes(new Upstreams(gatewayConfig.services)).stack] as unknown as Layer[]],
];
for (const [owner, stack] of listed) {
  for (const route of routesOf(stack)) {
    if (routes.has(route)) answeredTwice.push(`${route} (${routes.get(route)} and ${owner})`);
    routes.set(route, owner);
  }
}

afterAll(() => {
  keepAliveAgent.destroy();
});

describe('API documentation: the document and the routes', () => {
  test('When the document is built, then it is OpenAPI 3.1 and gateway/src/openapi.generated.ts (what the gateway serves) is current', () => {
    expect(live.openapi).toBe('3.1.0');
    // When this fails, a schema or a route changed: regenerate the file and commit it, with
    //   node -r ts-node/register/transpile-only -r tsconfig-paths/register scripts/openapi.ts
    expect(openApiDocument).toEqual(JSON.parse(JSON.stringify(live)));
  });

  test('When the routers and the gateway app are listed, then every route is documented and every documented operation is a route', () => {
    expect(routes.size).toBeGreaterThan(20);
    expect(answeredTwice).toEqual([]);
    const documented = documentedOperations(live).map((operation) => operation.key);
    expect(new Set(documented).size).toBe(documented.length);
    expect([...documented].sort()).toEqual([...routes.keys()].sort());
  });

  test("When a documented path goes through the gateway, then it reaches the service that documents it, under that service's tag", () => {
    for (const { key, tags } of documentedRoutes()) {
      const owner = routes.get(key);
      expect({ key, tags }).toEqual({ key, tags: [owner] });
      if (owner !== 'gateway') expect({ key, upstream: upstreamFor(samplePath(key.split(' ')[1]!)) }).toEqual({ key, upstream: owner });
    }
  });

  test('When a path has parameters, then the document declares each of them, and no others', () => {
    for (const { key, parameters } of documentedOperations(live)) {
      const inPath = [...key.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();
      const declared = parameters
        .filter((parameter) => parameter.in === 'path')
        .map((parameter) => parameter.name)
        .sort();
      expect({ key, parameters: declared }).toEqual({ key, parameters: inPath });
    }
  });

  test('When a route refuses a caller without a token, then its operation requires the bearer token, and only then', async () => {
    const logger = createLogger({ service: 'openapi-test', silent: true });
    const apps = Object.fromEntries(
      Object.entries(serviceRouters).map(([service, routes]) => [service, createServiceApp({ logger, bodyLimit: '100kb', readiness: () => ({}), routes })]),
    ) as Record<UpstreamName, Express>;
    for (const { key, secured } of documentedRoutes()) {
      const owner = routes.get(key)!;
      const [method, path] = key.split(' ') as [string, string];
      const app = owner === 'gateway' ? gateway : apps[owner];
      // Without a token, a route behind requireAuth answers 401 before its handler runs; any
      // other route gets as far as validation or the (absent) service behind it.
      const res = await request(app)[method.toLowerCase() as 'get'](samplePath(path)).send({});
      expect({ key, secured }).toEqual({ key, secured: res.status === 401 });
    }
  });
});

describe('API documentation: served by the gateway', () => {
  test('When GET /openapi.json, then the merged document as JSON', async () => {
    const res = await request(gateway)
      .get('/openapi.json')
      .expect(200)
      .expect('content-type', /application\/json/);
    expect(res.body).toEqual(openApiDocument);
    expect(res.body.paths['/shopping/orders/{id}'].get.security).toEqual([{ bearerAuth: [] }]);
  });

  test('When GET /docs, then Swagger UI pointed at /openapi.json, with its assets', async () => {
    const page = await request(gateway)
      .get('/docs')
      .expect(200)
      .expect('content-type', /text\/html/);
    expect(page.text).toContain('<div id="swagger-ui"></div>');
    const scripts = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
    expect(scripts).toEqual(expect.arrayContaining(['/docs/swagger-ui.css', '/docs/swagger-ui-bundle.js', '/docs/swagger-initializer.js']));
    for (const asset of scripts) await request(gateway).get(asset).expect(200);
    const initializer = await request(gateway)
      .get('/docs/swagger-initializer.js')
      .expect('content-type', /javascript/);
    expect(initializer.text).toContain("url: '/openapi.json'");
    await request(gateway)
      .get('/docs/')
      .expect(200)
      .expect('content-type', /text\/html/);
  });
});
