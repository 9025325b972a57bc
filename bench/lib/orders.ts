/**
 * Orders at a steady rate, each followed until it shows in the customer view: the event lag from
 * an order being placed (its 201 answer) to it being visible in GET /customer/shoping-details.
 * Each order is a shopper's two calls through the gateway, PUT /cart then POST /shopping/order,
 * for the next customer of the 200 that has no order in progress.
 */
import { request, sleep } from './http';
import type { Customer, Product } from './seed';
import { round, Samples, type LatencySummary } from './stats';

export interface OrderFlowOptions {
  gateway: string;
  /** Base URL for GET /customer/shoping-details: the customer service itself, or the gateway. */
  viewBase: string;
  customers: Customer[];
  products: Product[];
  rate: number;
  durationS: number;
  /** How often a placed order's customer view is read until the order shows (the lag's resolution), backing off to 10 % of the wait. */
  pollMs: number;
  timeoutMs?: number;
  signal?: { stop: boolean };
}

export interface OrderFlowResult {
  rate: number;
  durationS: number;
  attempted: number;
  placed: number;
  failed: number;
  failures: Record<string, number>;
  skippedBusy: number;
  visible: number;
  notVisible: number;
  /** From the order's answer to the first read of the view that shows it. */
  lag: LatencySummary;
  /** From sending POST /shopping/order to the first read that shows it. */
  lagFromRequest: LatencySummary;
  putCart: LatencySummary;
  placeOrder: LatencySummary;
  pollMs: number;
  pollsPerSec: number;
  /** Reads of the customer view made to see the orders (database work that is the probe's, not the shop's). */
  polls: number;
}

interface OrderView {
  orders?: Array<{ orderId?: string; _id?: string }>;
}

export async function runOrderFlows(options: OrderFlowOptions): Promise<OrderFlowResult> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const lag = new Samples();
  const lagFromRequest = new Samples();
  const putCart = new Samples();
  const placeOrder = new Samples();
  const failures: Record<string, number> = {};
  const busy = new Set<number>();
  let attempted = 0;
  let placed = 0;
  let failed = 0;
  let skippedBusy = 0;
  let visible = 0;
  let notVisible = 0;
  let polls = 0;
  let nextCustomer = 0;
  const fail = (what: string): void => {
    failed++;
    failures[what] = (failures[what] ?? 0) + 1;
  };

  const flow = async (customer: Customer, product: Product): Promise<void> => {
    // Released once: a flow still polling must not release the customer's next flow, which would
    // let a third one order the same cart at the same time.
    let released = false;
    const release = (): void => {
      if (!released) busy.delete(customer.index);
      released = true;
    };
    try {
      const put = await request('PUT', `${options.gateway}/cart`, { token: customer.token, body: { _id: product._id, qty: 1 } });
      if (put.status !== 200) return fail(`PUT /cart ${put.status}`);
      putCart.record(put.ms);
      const sentAt = performance.now();
      const order = await request<{ orderId: string }>('POST', `${options.gateway}/shopping/order`, { token: customer.token, body: {} });
      if (order.status !== 201) return fail(`POST /shopping/order ${order.status}`);
      const placedAt = performance.now();
      placeOrder.record(order.ms);
      placed++;
      // The customer may start the next flow while this one watches the view.
      release();
      const { orderId } = order.body;
      while (performance.now() - placedAt < timeoutMs) {
        // Every pollMs, backing off to a tenth of the time waited so far: the reads stay a light
        // load when orders take seconds to show (the lag is then known to within 10 %).
        await sleep(Math.max(options.pollMs, (performance.now() - placedAt) / 10));
        polls++;
        const view = await request<OrderView>('GET', `${options.viewBase}/customer/shoping-details`, { token: customer.token });
        if (view.status === 200 && view.body.orders?.some((o) => (o.orderId ?? o._id) === orderId)) {
          const now = performance.now();
          lag.record(now - placedAt);
          lagFromRequest.record(now - sentAt);
          visible++;
          return;
        }
      }
      notVisible++;
    } catch (error) {
      fail(error instanceof Error ? error.message.slice(0, 80) : String(error));
    } finally {
      release();
    }
  };

  const flows = new Set<Promise<void>>();
  const interval = 1000 / options.rate;
  const started = performance.now();
  const end = started + options.durationS * 1000;
  for (let n = 0; performance.now() < end && !options.signal?.stop; n++) {
    const wait = started + n * interval - performance.now();
    if (wait > 0) await sleep(wait);
    attempted++;
    let customer: Customer | undefined;
    for (let tries = 0; tries < options.customers.length && !customer; tries++) {
      const candidate = options.customers[nextCustomer++ % options.customers.length]!;
      if (!busy.has(candidate.index)) customer = candidate;
    }
    if (!customer) {
      skippedBusy++;
      continue;
    }
    busy.add(customer.index);
    const product = options.products[(n * 7) % options.products.length]!;
    const pending = flow(customer, product).finally(() => flows.delete(pending));
    flows.add(pending);
  }
  const placingSeconds = (performance.now() - started) / 1000;
  await Promise.all(flows);
  const totalSeconds = (performance.now() - started) / 1000;
  return {
    rate: options.rate,
    durationS: round(placingSeconds, 1),
    attempted,
    placed,
    failed,
    failures,
    skippedBusy,
    visible,
    notVisible,
    lag: lag.summary(),
    lagFromRequest: lagFromRequest.summary(),
    putCart: putCart.summary(),
    placeOrder: placeOrder.summary(),
    pollMs: options.pollMs,
    pollsPerSec: round(polls / totalSeconds, 1),
    polls,
  };
}
