import { CatalogueEvents, createEvent, StockEvents, type OrderPlaced, type Outbox } from '@shop/common';
import type { ProductRepository } from '../database/product-repository';
import type { StockReservationRepository } from '../database/stock-reservation-repository';
import type { StockReservation } from '../database/models/stock-reservation';
import type { Product } from '../database/models/product';
import type { CatalogueCommands } from './catalogue-commands';

const SOURCE = 'products';
/** Enough to recognise a redelivery, which comes soon after; older entries are dropped. */
const RESERVATIONS_REMEMBERED = 500;

interface Demand {
  productId: string;
  unit: number;
}

/** Sums the units per product: an order may name a product on more than one line. */
function demandOf(order: OrderPlaced): Demand[] {
  const units = new Map<string, number>();
  for (const line of order.items) units.set(line.product._id, (units.get(line.product._id) ?? 0) + line.unit);
  return [...units].map(([productId, unit]) => ({ productId, unit }));
}

function shortfall(demand: Demand[], products: Map<string, Product>): string | undefined {
  for (const { productId, unit } of demand) {
    const product = products.get(productId);
    if (!product) return `product ${productId} does not exist`;
    if (!product.available) return `product ${productId} is not available`;
    if (product.stock < unit) return `not enough stock of product ${productId}: ${product.stock} left, ${unit} ordered`;
  }
  return undefined;
}

/**
 * The stock step of the order saga: takes the stock for every line of an order, or none of it.
 * It runs from the products queue, whose single active consumer applies one order at a time, so
 * two reservations never race for the same stock (FerretDB's updates are not atomic).
 *
 * The decision is stored first, as an insert keyed by the order id, and marked applied once the
 * stock is written: a first delivery (nearly every one) costs two inserts and no look-up of the
 * order's reservation, which on FerretDB reads every reservation when there is none. A redelivery
 * meets the duplicate key and reads what the first delivery decided and whether it got to apply it.
 */
export class StockReservations {
  constructor(
    private readonly products: ProductRepository,
    private readonly reservations: StockReservationRepository,
    private readonly catalogue: CatalogueCommands,
    private readonly outbox: Outbox,
  ) {}

  async reserveForOrder(order: OrderPlaced, correlationId?: string): Promise<void> {
    const demand = demandOf(order);
    const current = new Map((await this.products.findByIds(demand.map((d) => d.productId))).map((p) => [p._id.toString(), p]));
    // Lines an earlier, interrupted delivery of this order already took: never take them twice.
    const tookBefore = (d: Demand): boolean => current.get(d.productId)?.reservedFor.includes(order.orderId) ?? false;
    const reason = shortfall(demand.filter((d) => !tookBefore(d)), current);
    let decision: StockReservation = { _id: order.orderId, lines: demand, status: reason === undefined ? 'reserved' : 'rejected', reason, createdAt: new Date(), claimedFirst: true };
    if (!(await this.reservations.claim(decision))) {
      const first = await this.reservations.findByOrderId(order.orderId);
      if (!first) throw new Error(`the reservation of order ${order.orderId} vanished`);
      if (!first.claimedFirst || (await this.reservations.isApplied(order.orderId))) {
        // Already decided and applied: announce the decision again (same event id), change nothing.
        await this.announce(order, first.status, first.reason, correlationId);
        return;
      }
      // Decided, not applied: the first decision stands, unless the stock it counted on is gone.
      decision = first;
      if (first.status === 'reserved' && reason !== undefined) {
        decision = { ...first, status: 'rejected', reason };
        await this.reservations.replace(decision);
      }
    }
    const accepted = decision.status === 'reserved';
    const changed: Product[] = [];
    for (const line of demand) {
      const product = current.get(line.productId);
      // Accepted: take every line not taken yet. Rejected: give back what an earlier delivery took.
      if (!product || (accepted ? tookBefore(line) : !tookBefore(line))) continue;
      const updated = await this.products.update(line.productId, product.version, {
        stock: product.stock + (accepted ? -line.unit : line.unit),
        reservedFor: accepted
          ? [...product.reservedFor.slice(-(RESERVATIONS_REMEMBERED - 1)), order.orderId]
          : product.reservedFor.filter((id) => id !== order.orderId),
      });
      // Changed meanwhile (an admin edit): throw, and the retry continues from what is stored.
      if (!updated) throw new Error(`product ${line.productId} changed during the reservation; retrying`);
      changed.push(updated);
    }
    await this.reservations.markApplied(order.orderId);
    for (const product of changed) await this.catalogue.announce(CatalogueEvents.productUpdated, product);
    await this.announce(order, decision.status, decision.reason, correlationId);
  }

  private async announce(order: OrderPlaced, status: 'reserved' | 'rejected', reason: string | undefined, correlationId?: string): Promise<void> {
    const type = status === 'reserved' ? StockEvents.stockReserved : StockEvents.stockRejected;
    const data = status === 'reserved' ? { orderId: order.orderId, customerId: order.customerId } : { orderId: order.orderId, customerId: order.customerId, reason: reason ?? 'rejected' };
    await this.outbox.add(createEvent({ type, id: `${type}:${order.orderId}`, data, source: SOURCE, correlationId }));
  }
}
