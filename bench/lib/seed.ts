/**
 * Test data through the public API (as an operator or a shopper would make it): 1,000 products
 * over 10 categories with POST /product/create and the admin's token, and 200 customers with
 * POST /customer/signup (a customer that exists already logs in instead).
 */
import { expectStatus, mapLimit, request, sleep } from './http';
import type { Target } from './shop';

export const CATEGORIES = ['fruits', 'vegetables', 'oils', 'grains', 'dairy', 'spices', 'bakery', 'beverages', 'snacks', 'frozen'];
export const CUSTOMER_PASSWORD = 'bench-password-123';

export interface Customer {
  index: number;
  email: string;
  id: string;
  token: string;
}

export interface Product {
  _id: string;
  type: string;
}

export interface SeedResult {
  products: Product[];
  customers: Customer[];
  adminToken: string;
  createdProducts: number;
  productsSeconds: number;
  createdCustomers: number;
  customersSeconds: number;
  replicasSeconds: number;
}

/** The n-th product of the benchmark catalogue, as `POST /product/create` takes it. */
export function benchProduct(n: number) {
  return {
    name: `Bench product ${n}`,
    desc: `Product ${n} of the benchmark catalogue: a description of about the length a real shop writes.`,
    type: CATEGORIES[n % CATEGORIES.length]!,
    banner: `/images/bench-${n}.jpg`,
    unit: 1,
    price: 10 + (n % 490),
    available: true,
    suplier: `Supplier ${n % 37}`,
    // Enough that no order of the run is rejected for stock.
    stock: 1_000_000_000,
  };
}

export function customerEmail(index: number): string {
  return `bench-${index}@bench.test`;
}

/** The admin's session; a shop given by URL may still be starting, so a refused log-in is tried again for a while. */
async function adminSession(target: Target): Promise<{ token: string }> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const login = await request<{ token: string }>('POST', `${target.gateway}/customer/login`, { body: target.admin });
    if (login.status === 200) return login.body;
    if (login.status !== 401 || Date.now() > deadline) throw new Error(`the admin's log-in answered ${login.status}: ${JSON.stringify(login.body)}`);
    await sleep(500);
  }
}

export async function seed(target: Target, counts: { products: number; customers: number }, log: (line: string) => void): Promise<SeedResult> {
  const gateway = target.gateway;
  const admin = await adminSession(target);

  // Products: only what is missing, so a shop given by URL is not filled up again on every run.
  const started = Date.now();
  const existing = await expectStatus<{ products: Product[] }>(200, 'GET', `${gateway}/`);
  const missing = Math.max(0, counts.products - existing.products.length);
  log(`seeding ${missing} products over ${CATEGORIES.length} categories (${existing.products.length} there already) via POST /product/create`);
  const created = await mapLimit(
    Array.from({ length: missing }, (_, i) => existing.products.length + i),
    8,
    async (n) =>
      expectStatus<Product>(201, 'POST', `${gateway}/product/create`, {
        token: admin.token,
        body: benchProduct(n),
      }),
  );
  const products = [...existing.products, ...created].slice(0, counts.products).map(({ _id, type }) => ({ _id, type }));
  const productsSeconds = (Date.now() - started) / 1000;

  const customersStarted = Date.now();
  log(`signing up ${counts.customers} customers (bcrypt on every sign-up)`);
  let createdCustomers = 0;
  const customers = await mapLimit(
    Array.from({ length: counts.customers }, (_, i) => i),
    4,
    async (index) => {
      const email = customerEmail(index);
      const signUp = await request<{ id: string; token: string }>('POST', `${gateway}/customer/signup`, { body: { email, password: CUSTOMER_PASSWORD } });
      if (signUp.status === 201) {
        createdCustomers++;
        return { index, email, ...signUp.body };
      }
      if (signUp.status !== 409) throw new Error(`sign-up of ${email} answered ${signUp.status}: ${JSON.stringify(signUp.body)}`);
      const session = await expectStatus<{ id: string; token: string }>(200, 'POST', `${gateway}/customer/login`, { body: { email, password: CUSTOMER_PASSWORD } });
      return { index, email, ...session };
    },
  );
  const customersSeconds = (Date.now() - customersStarted) / 1000;

  // The shopping replica learns the catalogue from events: a cart needs the last product to be known.
  const replicasStarted = Date.now();
  const probe = customers[0]!;
  const last = products[products.length - 1]!;
  for (;;) {
    const put = await request('PUT', `${gateway}/cart`, { token: probe.token, body: { _id: last._id, qty: 1 } });
    if (put.status === 200) break;
    if (put.status !== 404) throw new Error(`PUT /cart answered ${put.status}: ${JSON.stringify(put.body)}`);
    if (Date.now() - replicasStarted > 180_000) throw new Error('the shopping replica did not learn the catalogue within 180 s');
    await sleep(500);
  }
  await expectStatus(200, 'DELETE', `${gateway}/cart/${last._id}`, { token: probe.token });
  const replicasSeconds = (Date.now() - replicasStarted) / 1000;
  return { products, customers, adminToken: admin.token, createdProducts: created.length, productsSeconds, createdCustomers, customersSeconds, replicasSeconds };
}
