import fs from 'node:fs';
import path from 'node:path';
import { openApiDocument } from './openapi.generated';

/*
 * The Postman collection against the API document: every documented operation has a request in
 * the collection, every request is a documented operation, and each request has a test script and
 * a saved example answer. Path parameters are spelled `{id}` in the document and `{{productId}}`,
 * `:id` or a literal value in the collection.
 */

interface PostmanItem {
  name: string;
  item?: PostmanItem[];
  event?: Array<{ listen: string; script?: { exec?: string[] } }>;
  request?: { method: string; url: { raw: string } | string };
  response?: Array<{ code?: number; status?: string; header?: unknown[]; body?: string }>;
}

const COLLECTION = path.join(__dirname, '..', '..', 'postman', 'microservices-shop.postman_collection.json');
const collection = JSON.parse(fs.readFileSync(COLLECTION, 'utf8')) as { item: PostmanItem[] };

const requests = (items: PostmanItem[]): PostmanItem[] => items.flatMap((item) => (item.item ? requests(item.item) : [item]));

const PARAMETER = Symbol('parameter');
type Segment = string | typeof PARAMETER;

/** The segments of a collection URL: no base URL, query or trailing slash; variables become parameters. */
function collectionSegments(url: string): Segment[] {
  const pathOnly = url.replace(/^\{\{baseUrl\}\}/, '').split('?')[0]!;
  return pathOnly
    .split('/')
    .filter(Boolean)
    .map((segment) => (/^\{\{\w+\}\}$/.test(segment) || segment.startsWith(':') ? PARAMETER : segment));
}

const documentSegments = (openApiPath: string): Segment[] =>
  openApiPath
    .split('/')
    .filter(Boolean)
    .map((segment) => (/^\{\w+\}$/.test(segment) ? PARAMETER : segment));

const operations = Object.entries(openApiDocument.paths as Record<string, Record<string, unknown>>).flatMap(([openApiPath, item]) =>
  Object.keys(item).map((method) => ({ key: `${method.toUpperCase()} ${openApiPath}`, method: method.toUpperCase(), segments: documentSegments(openApiPath) })),
);

/** The operation a request calls, as a router would pick it: literal segments win over parameters. */
function operationOf(method: string, url: string): string | undefined {
  const segments = collectionSegments(url);
  const matches = operations.filter(
    (operation) =>
      operation.method === method && operation.segments.length === segments.length && operation.segments.every((segment, i) => segment === PARAMETER || segment === segments[i]),
  );
  const literals = (segments: Segment[]) => segments.filter((segment) => segment !== PARAMETER).length;
  return matches.sort((a, b) => literals(b.segments) - literals(a.segments))[0]?.key;
}

const items = requests(collection.item);
const urlOf = (item: PostmanItem): string => (typeof item.request!.url === 'string' ? item.request!.url : item.request!.url.raw);
const called = items.map((item) => ({ name: item.name, request: `${item.request!.method} ${urlOf(item)}`, operation: operationOf(item.request!.method, urlOf(item)) }));

describe('the Postman collection covers the API', () => {
  test('When the API document lists an operation, then the collection has a request for it', () => {
    expect(operations.length).toBeGreaterThan(20);
    const covered = new Set(called.map((call) => call.operation));
    expect(operations.map((operation) => operation.key).filter((key) => !covered.has(key))).toEqual([]);
  });

  test('When the collection has a request, then it is a documented operation', () => {
    expect(called.filter((call) => call.operation === undefined)).toEqual([]);
  });

  test('When a request is in the collection, then it has a test script and a saved example answer', () => {
    for (const item of items) {
      const tests = (item.event ?? []).filter((event) => event.listen === 'test').flatMap((event) => event.script?.exec ?? []);
      expect({ name: item.name, tested: tests.some((line) => line.includes('pm.test(')) }).toEqual({ name: item.name, tested: true });
      const [example] = item.response ?? [];
      expect({ name: item.name, example }).toEqual({
        name: item.name,
        example: expect.objectContaining({ code: expect.any(Number), status: expect.any(String), header: expect.any(Array), body: expect.any(String) }),
      });
    }
  });

  test('Path parameters are matched however the collection spells them', () => {
    expect(operationOf('GET', '{{baseUrl}}/{{productId}}')).toBe('GET /{id}');
    expect(operationOf('GET', '{{baseUrl}}/products?type=fruits')).toBe('GET /products');
    expect(operationOf('DELETE', '{{baseUrl}}/cart/:id')).toBe('DELETE /cart/{id}');
    expect(operationOf('POST', '{{baseUrl}}/shopping/orders/no-such-order/cancel')).toBe('POST /shopping/orders/{id}/cancel');
    expect(operationOf('POST', '{{baseUrl}}/shopping/order/')).toBe('POST /shopping/order');
  });
});
