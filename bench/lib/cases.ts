/**
 * The request cases: for each, the service that owns the path and the autocannon requests that
 * drive it (built fresh for each run, with their own counters).
 */
import type { LabelledRequest } from './load';
import type { Customer, Product } from './seed';
import { CATEGORIES } from './seed';
import type { ServiceName } from './shop';

export interface CaseData {
  products: Product[];
  customers: Customer[];
  password: string;
}

export interface RequestCase {
  id: string;
  label: string;
  service: ServiceName;
  /** Connections for this case (log-in is CPU-bound in bcrypt: fewer). */
  connections?: number;
  /** Which kind's figures the case reports (cases that mix requests). */
  reportKind?: string;
  /** A note for the report about how the case drives its requests. */
  note?: string;
  requests: (data: CaseData) => LabelledRequest[];
  /** Whether the case is also measured through a bare express + express-http-proxy hop (the gateway's floor). */
  bareHop?: boolean;
  /** Whether the case makes events (the next case waits for the backlog to drain). */
  makesEvents?: boolean;
}

const json = (token?: string): Record<string, string> => ({
  'content-type': 'application/json',
  ...(token ? { authorization: `Bearer ${token}` } : {}),
});

/** Cycles through a list, one item per call. */
function cycler<T>(items: T[]): () => T {
  let n = 0;
  return () => items[n++ % items.length]!;
}

export const REQUEST_CASES: RequestCase[] = [
  {
    id: 'product',
    label: 'GET /:id',
    service: 'products',
    bareHop: true,
    note: 'ids of the 1,000 products in turn',
    requests: ({ products }) => {
      const next = cycler(products);
      return [{ kind: 'GET /:id', method: 'GET', setupRequest: (req) => ((req.path = `/${next()._id}`), req) }];
    },
  },
  {
    id: 'root',
    label: 'GET /',
    service: 'products',
    bareHop: true,
    note: 'the whole catalogue, 1,000 products (about 250 kB a response)',
    requests: () => [{ kind: 'GET /', method: 'GET', path: '/' }],
  },
  {
    id: 'category',
    label: 'GET /category/:type',
    service: 'products',
    note: '10 categories in turn, 100 products each',
    requests: () => {
      const next = cycler(CATEGORIES);
      return [{ kind: 'GET /category/:type', method: 'GET', setupRequest: (req) => ((req.path = `/category/${next()}`), req) }];
    },
  },
  {
    id: 'page',
    label: 'GET /products?page=',
    service: 'products',
    note: 'pages 1..50 of 20 in turn (served from the in-memory catalogue)',
    requests: ({ products }) => {
      const pages = Math.max(1, Math.ceil(products.length / 20));
      let n = 0;
      return [{ kind: 'GET /products?page=', method: 'GET', setupRequest: (req) => ((req.path = `/products?page=${(n++ % pages) + 1}`), req) }];
    },
  },
  {
    id: 'login',
    label: 'POST /customer/login',
    service: 'customer',
    connections: 8,
    note: 'the 200 customers in turn; bcrypt cost as configured',
    requests: ({ customers, password }) => {
      const next = cycler(customers);
      return [
        {
          kind: 'POST /customer/login',
          method: 'POST',
          path: '/customer/login',
          setupRequest: (req) => {
            req.headers = json();
            req.body = JSON.stringify({ email: next().email, password });
            return req;
          },
        },
      ];
    },
  },
  {
    id: 'cart',
    label: 'PUT /cart',
    service: 'shopping',
    makesEvents: true,
    note: 'the 200 customers in turn, each over 5 products of its own with a changing quantity (every request changes the cart)',
    requests: ({ customers, products }) => {
      let n = 0;
      return [
        {
          kind: 'PUT /cart',
          method: 'PUT',
          path: '/cart',
          setupRequest: (req) => {
            const c = n % customers.length;
            const visit = Math.floor(n / customers.length);
            n++;
            const product = products[(c * 5 + (visit % 5)) % products.length]!;
            req.headers = json(customers[c]!.token);
            req.body = JSON.stringify({ _id: product._id, qty: 1 + (Math.floor(visit / 5) % 3) });
            return req;
          },
        },
      ];
    },
  },
  {
    id: 'order',
    label: 'POST /shopping/order',
    service: 'shopping',
    makesEvents: true,
    reportKind: 'POST /shopping/order',
    note: 'each connection alternates PUT /cart (one line) and POST /shopping/order for a customer no other connection holds; figures are of the POST alone',
    requests: ({ customers, products }) => {
      const busy = new Set<number>();
      let nextCustomer = 0;
      let nextProduct = 0;
      interface Ctx {
        customer?: Customer;
      }
      return [
        {
          kind: 'PUT /cart (before order)',
          method: 'PUT',
          path: '/cart',
          setupRequest: (req, context) => {
            const ctx = context as Ctx;
            let customer: Customer | undefined;
            for (let tries = 0; tries < customers.length && !customer; tries++) {
              const candidate = customers[nextCustomer++ % customers.length]!;
              if (!busy.has(candidate.index)) customer = candidate;
            }
            customer ??= customers[nextCustomer++ % customers.length]!;
            busy.add(customer.index);
            ctx.customer = customer;
            req.headers = json(customer.token);
            req.body = JSON.stringify({ _id: products[(nextProduct++ * 7) % products.length]!._id, qty: 1 });
            return req;
          },
        },
        {
          kind: 'POST /shopping/order',
          method: 'POST',
          path: '/shopping/order',
          setupRequest: (req, context) => {
            req.headers = json((context as Ctx).customer!.token);
            req.body = '{}';
            return req;
          },
          onResponse: (_status, _body, context) => {
            const customer = (context as Ctx).customer;
            if (customer) busy.delete(customer.index);
          },
        },
      ];
    },
  },
  {
    id: 'orders',
    label: 'GET /shopping/orders',
    service: 'shopping',
    note: "the 200 customers' tokens in turn (each has the orders of the earlier cases)",
    requests: ({ customers }) => {
      const next = cycler(customers);
      return [{ kind: 'GET /shopping/orders', method: 'GET', path: '/shopping/orders', setupRequest: (req) => ((req.headers = { authorization: `Bearer ${next().token}` }), req) }];
    },
  },
];
