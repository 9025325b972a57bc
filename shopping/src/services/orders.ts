import {
  ConflictError,
  createEvent,
  currentRequestId,
  NotFoundError,
  ShoppingEvents,
  StockEvents,
  orderPlacedSchema,
  stockRejectedSchema,
  stockReservedSchema,
  type CatalogueReplica,
  type EventEnvelope,
  type Line,
  type OrderPlaced,
  type Outbox,
} from '@shop/common';
import type { CartRepository } from '../database/cart-repository';
import type { Order, OrderVerdict, OrderView } from '../database/models/order';
import type { OrderRepository } from '../database/order-repository';
import { cartUpdatedEvent } from './cart-events';
import { lineProduct, orderAmount } from './pricing';

export type { OrderView } from '../database/models/order';

const SOURCE = 'shopping';
/** How long a placement may take before another request or the catch-up finishes it instead. */
export const PLACEMENT_GRACE_MS = 5000;

export function toOrderView(order: Order): OrderView {
  return {
    orderId: order._id,
    customerId: order.customerId,
    amount: order.amount,
    status: order.status,
    items: order.items,
    txnNumber: order.txnNumber,
    ...(order.reason ? { reason: order.reason } : {}),
    createdAt: new Date(order.createdAt).toISOString(),
  };
}

const withVerdict = (view: OrderView, verdict: OrderVerdict | undefined): OrderView =>
  verdict && view.status === 'received' ? { ...view, status: verdict.status, ...(verdict.reason ? { reason: verdict.reason } : {}) } : view;

/** Newest first; orders of the same moment by id. */
const newestFirst = (a: OrderView, b: OrderView): number => b.createdAt.localeCompare(a.createdAt) || b.orderId.localeCompare(a.orderId);

/**
 * Placing orders (command), reading them (query), and the saga's verdict on their stock.
 *
 * On FerretDB 1.24 only inserts use the `_id` index; anything else reads the collection, by `_id`
 * quickly, by any other filter slowly (every document decoded). So orders are only ever inserted;
 * a customer's orders are read from one history document (by `_id`, in a collection of one per
 * customer) plus the few still in flight, and the history is written by one writer, shopping's
 * own event consumer, from order.placed and the verdicts.
 */
export class Orders {
  constructor(
    private readonly orders: OrderRepository,
    private readonly carts: CartRepository,
    private readonly catalogue: CatalogueReplica,
    private readonly outbox: Outbox,
  ) {}

  /**
   * Turns the cart into an order. The order id is the customer plus the cart version, so a retry
   * or a concurrent request for the same cart meets the first order's duplicate key and gets that
   * order back; a txnNumber seen before returns its order even after the cart has moved on (a new
   * one is claimed by an insert, not looked up: a miss would read every request). Before the order
   * is written it is noted in flight; the note is marked announced once order.placed is in the
   * outbox and the cart emptied, and goes when the order is in the customer's history.
   */
  async placeOrder(customerId: string, txnNumber: string | null): Promise<{ order: OrderView; created: boolean }> {
    const cart = await this.carts.find(customerId);
    if (cart.items.length === 0) {
      // The cart may be empty because this txnNumber's order emptied it: that order comes back.
      const earlier = txnNumber ? await this.requestedOrder(customerId, txnNumber) : null;
      if (earlier) return { order: await this.currentView(earlier), created: false };
      throw new ConflictError('The cart is empty', 'EMPTY_CART');
    }
    const orderId = `${customerId}-${cart.version}`;
    if (txnNumber && !(await this.orders.claimRequest(customerId, txnNumber, orderId))) {
      const earlier = await this.requestedOrder(customerId, txnNumber);
      if (earlier) return { order: await this.currentView(earlier), created: false };
      // Claimed by an attempt that never wrote its order (it failed or crashed): this one takes it over.
      await this.orders.reclaimRequest(customerId, txnNumber, orderId);
    }
    const items = await this.priceAtOrderTime(cart.items);
    const order: Order = { _id: orderId, customerId, items, amount: orderAmount(items), status: 'received', txnNumber, cartVersion: cart.version, createdAt: new Date() };
    const noted = await this.orders.markInFlight({ _id: orderId, customerId, order: toOrderView(order), announced: false, createdAt: order.createdAt });
    if (await this.orders.insert(order)) {
      await this.finish(order, { fresh: true });
      return { order: toOrderView(order), created: true };
    }
    const stored = await this.orders.findById(orderId);
    if (!stored) throw new Error(`order ${orderId} vanished`);
    if (noted) {
      // Our note came after the first placement's had gone: the order is in the history already.
      await this.orders.landed(orderId);
    } else {
      // The first placement is at work (leave it to it), or crashed in between: then finish it now.
      const note = await this.orders.findInFlight(orderId);
      if (note && !note.announced && note.createdAt.getTime() < Date.now() - PLACEMENT_GRACE_MS) await this.finish(stored, { fresh: false });
    }
    return { order: await this.currentView(stored), created: false };
  }

  /** Finishes placements that a crash cut off (noted, never announced, longer ago than the grace); at start and periodically. */
  async announcePending(graceMs = PLACEMENT_GRACE_MS): Promise<number> {
    const due = await this.orders.findUnannouncedBefore(new Date(Date.now() - graceMs));
    for (const note of due) {
      const order = await this.orders.findById(note._id);
      // No order: the placement stopped before writing it, and the cart was not touched.
      if (order) await this.finish(order, { fresh: false });
      else await this.orders.landed(note._id);
    }
    return due.length;
  }

  /**
   * Everything after the order is written: order.placed in the outbox, the cart emptied and
   * announced (and, when finishing again, its txnNumber tied to it); then the note is marked
   * announced. All idempotent, so a second run (a retry, the catch-up) changes nothing twice: an
   * event id still in the outbox is stored once, one already relayed goes again under the same id
   * and consumers drop it.
   */
  private async finish(order: Order, { fresh }: { fresh: boolean }): Promise<void> {
    const { _id: orderId, customerId, txnNumber } = order;
    await Promise.all([
      // Added first, so order.placed is relayed before the emptied cart's cart.updated.
      this.outbox.add(
        createEvent<OrderPlaced>({
          type: ShoppingEvents.orderPlaced,
          id: `${ShoppingEvents.orderPlaced}:${orderId}`,
          data: toOrderView(order),
          source: SOURCE,
          correlationId: currentRequestId(),
        }),
      ),
      !fresh && txnNumber ? this.orders.claimRequest(customerId, txnNumber, orderId) : undefined,
      this.emptyCart(customerId, order.cartVersion, { fresh }),
    ]);
    await this.orders.markAnnounced(orderId);
  }

  /** The customer's history and the orders still on their way into it: two reads, neither a scan of the orders. */
  async listOrders(customerId: string): Promise<OrderView[]> {
    const [history, inFlight] = await Promise.all([this.orders.findHistory(customerId), this.orders.findInFlightOf(customerId)]);
    const listed = new Set(history.orders.map((order) => order.orderId));
    const verdicts = new Map(history.verdicts.map((verdict) => [verdict.orderId, verdict]));
    const arriving = inFlight.filter((note) => !listed.has(note._id)).map((note) => withVerdict(note.order, verdicts.get(note._id)));
    return [...history.orders, ...arriving].sort(newestFirst);
  }

  /** An order of this customer's; another customer's order is as unknown as a missing one. */
  async getOrder(customerId: string, orderId: string): Promise<OrderView> {
    const order = (await this.listOrders(customerId)).find((view) => view.orderId === orderId);
    if (!order) throw new NotFoundError('No such order', 'ORDER_NOT_FOUND');
    return order;
  }

  /**
   * Applies order.placed and the stock verdicts of one customer to the history, read and written
   * once per batch; called by the consumer, one batch of a customer at a time. Idempotent: an
   * order is added once, a verdict counts only while the order is `received` (the first stands).
   */
  async applyToHistory(events: EventEnvelope[]): Promise<void> {
    const history = await this.orders.findHistory(events[0]!.data.customerId as string);
    const placed: string[] = [];
    let changed = false;
    for (const event of events) {
      if (event.type === ShoppingEvents.orderPlaced) {
        const view = orderPlacedSchema.parse(event.data);
        placed.push(view.orderId);
        if (history.orders.some((order) => order.orderId === view.orderId)) continue;
        const waiting = history.verdicts.find((verdict) => verdict.orderId === view.orderId);
        history.orders.push(withVerdict({ ...view, status: 'received' }, waiting));
        history.verdicts = history.verdicts.filter((verdict) => verdict !== waiting);
        changed = true;
      } else {
        const verdict: OrderVerdict =
          event.type === StockEvents.stockReserved
            ? { orderId: stockReservedSchema.parse(event.data).orderId, status: 'confirmed' }
            : { ...stockRejectedSchema.pick({ orderId: true, reason: true }).parse(event.data), status: 'rejected' };
        const index = history.orders.findIndex((order) => order.orderId === verdict.orderId);
        if (index >= 0 && history.orders[index]!.status === 'received') {
          history.orders[index] = withVerdict(history.orders[index]!, verdict);
          changed = true;
        } else if (index < 0 && !history.verdicts.some((waiting) => waiting.orderId === verdict.orderId)) {
          // The verdict overtook its order (a redelivery): it waits in the history for it.
          history.verdicts.push(verdict);
          changed = true;
        }
      }
    }
    if (changed) await this.orders.saveHistory(history);
    for (const orderId of placed) await this.orders.landed(orderId);
  }

  private async requestedOrder(customerId: string, txnNumber: string): Promise<Order | null> {
    const request = await this.orders.findRequest(customerId, txnNumber);
    return request && this.orders.findById(request.orderId);
  }

  /** The order with its status now (it may have had its verdict); from the order itself if it is nowhere else. */
  private async currentView(order: Order): Promise<OrderView> {
    return (await this.listOrders(order.customerId)).find((view) => view.orderId === order._id) ?? toOrderView(order);
  }

  private async priceAtOrderTime(items: Line[]): Promise<Line[]> {
    const products = new Map((await this.catalogue.findMany(items.map((item) => item.product._id))).map((p) => [p._id, p]));
    return items.map((item) => {
      const product = products.get(item.product._id);
      if (!product || !product.available) {
        throw new ConflictError(`"${item.product.name}" is no longer available; remove it from the cart`, 'PRODUCT_UNAVAILABLE');
      }
      return { product: lineProduct(product), unit: item.unit };
    });
  }

  /**
   * Empties the cart the order was made from, if it is still at that version (newer lines stay for
   * the next order), and announces it. The order's note covers both (the cart needs no note of
   * its own). When finishing again, the cart's current state is announced whatever it is: that is
   * always right, and its event id names its version.
   */
  private async emptyCart(customerId: string, orderedVersion: number, { fresh }: { fresh: boolean }): Promise<void> {
    const version = await this.carts.replaceItems(customerId, orderedVersion, []);
    if (version !== undefined) {
      await this.outbox.add(cartUpdatedEvent(customerId, [], version));
    } else if (!fresh) {
      const cart = await this.carts.find(customerId);
      if (cart.version > orderedVersion) await this.outbox.add(cartUpdatedEvent(customerId, cart.items, cart.version));
    }
  }
}
