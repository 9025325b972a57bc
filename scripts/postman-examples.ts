/**
 * Saves the answers of a newman run as the collection's example responses (Postman's `response`
 * of each request), so that the collection documents what each request gets:
 *
 *   POSTMAN_REPORT=/tmp/postman-report.json scripts/run-postman.sh --with-shop
 *   node -r ts-node/register/transpile-only scripts/postman-examples.ts /tmp/postman-report.json
 *
 * Tokens are replaced by a placeholder and long answers shortened, so that the examples carry no
 * credential and stay readable.
 */
import fs from 'node:fs';
import path from 'node:path';

const COLLECTION = path.join(__dirname, '..', 'postman', 'microservices-shop.postman_collection.json');
const KEPT_HEADERS = new Set(['content-type', 'cache-control', 'etag', 'access-control-allow-origin']);
const LONG_BODY = 2000;
const JWT = /eyJ[\w-]+\.[\w-]+\.[\w-]+/g;

interface Header {
  key: string;
  value: string;
}

interface Execution {
  item: { id: string; name: string };
  response?: { code: number; status: string; header: Header[]; stream?: { data: number[] } };
}

interface Example {
  name: string;
  status: string;
  code: number;
  header: Header[];
  body: string;
  _postman_previewlanguage: string;
}

interface CollectionItem {
  id?: string;
  name: string;
  item?: CollectionItem[];
  request?: unknown;
  response?: Array<Example & { originalRequest?: unknown }>;
}

/** Arrays cut to two entries and anything deeper than a few levels elided: an example, not a dump. */
function shorten(value: unknown, depth = 0): unknown {
  if (Array.isArray(value)) return value.slice(0, 2).map((entry) => shorten(entry, depth + 1));
  if (value && typeof value === 'object') {
    if (depth >= 3) return '…';
    return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, shorten(entry, depth + 1)]));
  }
  return value;
}

function exampleBody(contentType: string, bytes: Buffer): { body: string; language: string } {
  if (contentType.startsWith('application/json')) {
    const text = bytes.toString('utf8').replace(JWT, '<token>');
    const parsed = JSON.parse(text) as unknown;
    return { body: JSON.stringify(text.length > LONG_BODY ? shorten(parsed) : parsed, null, 2), language: 'json' };
  }
  if (contentType.startsWith('text/')) {
    const text = bytes.toString('utf8');
    return { body: text.length > LONG_BODY ? `${text.slice(0, LONG_BODY)}…` : text, language: contentType.includes('html') ? 'html' : 'text' };
  }
  return { body: '', language: 'text' }; // a picture: the headers say what it is
}

function example(execution: Execution & { response: NonNullable<Execution['response']> }, originalRequest: unknown): Example & { originalRequest: unknown } {
  const { code, status, header, stream } = execution.response;
  const headers = header.filter((entry) => KEPT_HEADERS.has(entry.key.toLowerCase()));
  const contentType = headers.find((entry) => entry.key.toLowerCase() === 'content-type')?.value ?? '';
  const { body, language } = exampleBody(contentType, Buffer.from(stream?.data ?? []));
  return { name: `${code} ${status}`, originalRequest, status, code, header: headers, body, _postman_previewlanguage: language };
}

function leaves(items: CollectionItem[]): CollectionItem[] {
  return items.flatMap((item) => (item.item ? leaves(item.item) : [item]));
}

function main(reportFile: string | undefined): void {
  if (!reportFile) throw new Error('usage: scripts/postman-examples.ts <newman JSON report>');
  const report = JSON.parse(fs.readFileSync(reportFile, 'utf8')) as { run: { executions: Execution[] } };
  const collection = JSON.parse(fs.readFileSync(COLLECTION, 'utf8')) as { item: CollectionItem[] };
  const answered = new Map(report.run.executions.filter((execution) => execution.response).map((execution) => [execution.item.id, execution]));
  const missing: string[] = [];
  for (const item of leaves(collection.item)) {
    const execution = item.id ? answered.get(item.id) : undefined;
    if (!execution?.response) {
      missing.push(item.name);
      continue;
    }
    item.response = [example(execution as Execution & { response: NonNullable<Execution['response']> }, item.request)];
  }
  fs.writeFileSync(COLLECTION, `${JSON.stringify(collection, null, 2)}\n`);
  console.log(`postman-examples: saved ${leaves(collection.item).length - missing.length} examples${missing.length ? `; no answer in the report for: ${missing.join(', ')}` : ''}`);
}

main(process.argv[2]);
