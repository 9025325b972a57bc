/**
 * Whether a request's cost stays flat as the data behind it grows: a log-in with the seeded
 * accounts against one with 20,000, and one shopper's order list and profile with 1 order against
 * 150. The accounts are written straight into the customer database (a sign-up's bcrypt for
 * each would take half an hour); the orders are placed through the API, as a shopper would.
 */
import { MongoClient } from 'mongodb';
import { expectStatus, request, sleep } from './http';
import type { LabelledRequest, LoadResult } from './load';
import { customerEmail, CUSTOMER_PASSWORD, type Product } from './seed';
import type { Target } from './shop';
import { round } from './stats';

/** Measures one list of requests at one URL (the run's warm-up, duration and checks). */
export type Measure = (url: string, requests: () => LabelledRequest[], connections: number, label: string) => Promise<LoadResult>;

/** One request measured with the smaller data set, then with the larger. */
export interface ScaleRow {
  request: string;
  small: LoadResult;
  large: LoadResult;
  /** Larger over smaller, p50 and p99 latency. */
  p50Factor: number;
  p99Factor: number;
}

export interface ScaleCompare {
  id: 'login-scale' | 'history';
  /** What the smaller and the larger data set hold, for the report. */
  small: string;
  large: string;
  /** Seconds it took to make the larger data set. */
  setupS: number;
  connections: number;
  rows: ScaleRow[];
}

/** One connection: each request's own time, not a queue's. */
const CONNECTIONS = 1;
const BULK_BATCH = 1000;

export const bulkEmail = (n: number): string => `bench-bulk-${n}@bench.test`;

function row(requestName: string, small: LoadResult, large: LoadResult): ScaleRow {
  return {
    request: requestName,
    small,
    large,
    p50Factor: round(large.latency.p50 / small.latency.p50),
    p99Factor: round(large.latency.p99 / small.latency.p99),
  };
}

function loginRequests(emails: string[]): () => LabelledRequest[] {
  return () => {
    let n = 0;
    // A stride through the set, so consecutive log-ins hit accounts far apart.
    const next = (): string => emails[(n++ * 7919) % emails.length]!;
    return [
      {
        kind: 'POST /customer/login',
        method: 'POST',
        path: '/customer/login',
        headers: { 'content-type': 'application/json' },
        setupRequest: (req) => ({ ...req, body: JSON.stringify({ email: next(), password: CUSTOMER_PASSWORD }) }),
      },
    ];
  };
}

/**
 * Fills the customer database up to `total` accounts with documents as a sign-up stores them,
 * all with the password hash of the first seeded customer (so its password logs each one in).
 * Returns the emails of the added accounts.
 */
async function addBulkAccounts(target: Target, total: number): Promise<string[]> {
  if (!target.mongoUrl || !target.dbNames) throw new Error('login-scale needs a shop started by the benchmark (it writes to its database)');
  const client = await MongoClient.connect(target.mongoUrl);
  try {
    const customers = client.db(target.dbNames.customer).collection('customers');
    const template = await customers.findOne({ email: customerEmail(0) });
    if (!template) throw new Error(`no account ${customerEmail(0)} to copy the password hash from`);
    const existing = await customers.countDocuments();
    const emails = Array.from({ length: Math.max(0, total - existing) }, (_, k) => bulkEmail(existing + k));
    const now = new Date();
    for (let start = 0; start < emails.length; start += BULK_BATCH) {
      const batch = emails.slice(start, start + BULK_BATCH).map((email) => ({
        email,
        passwordHash: template.passwordHash as string,
        phone: '',
        role: 'customer',
        address: [],
        wishlist: [],
        createdAt: now,
      }));
      await customers.insertMany(batch, { ordered: false });
    }
    return emails;
  } finally {
    await client.close();
  }
}

/** Log-in as the seeded accounts in turn, then as accounts spread over 20,000 (`total`). */
export async function compareLogins(target: Target, seededEmails: string[], total: number, measure: Measure): Promise<ScaleCompare> {
  const small = await measure(target.gateway, loginRequests(seededEmails), CONNECTIONS, `log-in, ${seededEmails.length + 1} accounts`);
  const started = Date.now();
  const added = await addBulkAccounts(target, total);
  const setupS = round((Date.now() - started) / 1000, 1);
  const large = await measure(target.gateway, loginRequests(added.length > 0 ? added : seededEmails), CONNECTIONS, `log-in, ${total} accounts`);
  return {
    id: 'login-scale',
    small: `${seededEmails.length + 1} accounts (the seeded shop)`,
    large: `${total} accounts (${added.length} written to the database, ${setupS} s)`,
    setupS,
    connections: CONNECTIONS,
    rows: [row('POST /customer/login', small, large)],
  };
}

const HISTORY_PATHS = ['/shopping/orders', '/customer/profile', '/customer/shoping-details'] as const;

function historyRequests(token: string, path: string): () => LabelledRequest[] {
  return () => [{ kind: `GET ${path}`, method: 'GET', path, headers: { authorization: `Bearer ${token}` } }];
}

/** Places `count` orders for the shopper, one after another, each of one line. */
async function placeOrders(gateway: string, token: string, products: Product[], count: number, offset: number): Promise<void> {
  for (let k = 0; k < count; k++) {
    const product = products[(offset + k) % products.length]!;
    await expectStatus(200, 'PUT', `${gateway}/cart`, { token, body: { _id: product._id, qty: 1 + (k % 3) } });
    await expectStatus(201, 'POST', `${gateway}/shopping/order`, { token, body: { txnNumber: `history-${offset + k}` } });
  }
}

/** Waits until both the order list and the customer view show `count` orders. */
async function waitForOrders(target: Target, token: string, count: number): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const [orders, view] = await Promise.all([
      request<unknown[]>('GET', `${target.gateway}/shopping/orders`, { token }),
      request<{ orders?: unknown[] }>('GET', `${target.gateway}/customer/shoping-details`, { token }),
    ]);
    if (Array.isArray(orders.body) && orders.body.length >= count && (view.body.orders?.length ?? 0) >= count) return;
    if (Date.now() > deadline) throw new Error(`the shopper's ${count} orders did not all show within 120 s`);
    await sleep(200);
  }
}

/**
 * A new shopper with 1 order, then with `total`: GET /shopping/orders, /customer/profile and
 * /customer/shoping-details through the gateway with each. `settle` waits for the event backlog.
 */
export async function compareHistory(target: Target, products: Product[], total: number, measure: Measure, settle: () => Promise<unknown>): Promise<ScaleCompare> {
  const email = `bench-history-${Date.now()}@bench.test`;
  const { token } = await expectStatus<{ token: string }>(201, 'POST', `${target.gateway}/customer/signup`, { body: { email, password: CUSTOMER_PASSWORD } });
  const measureAll = async (orders: number): Promise<LoadResult[]> => {
    await waitForOrders(target, token, orders);
    await settle();
    const results: LoadResult[] = [];
    for (const path of HISTORY_PATHS) results.push(await measure(target.gateway, historyRequests(token, path), CONNECTIONS, `GET ${path}, ${orders} order(s)`));
    return results;
  };
  await placeOrders(target.gateway, token, products, 1, 0);
  const small = await measureAll(1);
  const started = Date.now();
  await placeOrders(target.gateway, token, products, total - 1, 1);
  const setupS = round((Date.now() - started) / 1000, 1);
  const large = await measureAll(total);
  return {
    id: 'history',
    small: 'one shopper with 1 order',
    large: `the same shopper with ${total} orders (placed through the API in ${setupS} s)`,
    setupS,
    connections: CONNECTIONS,
    rows: HISTORY_PATHS.map((path, i) => row(`GET ${path}`, small[i]!, large[i]!)),
  };
}
