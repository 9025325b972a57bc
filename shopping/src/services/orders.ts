import {
  ConflictError,
  createEvent,
  currentRequestId,
  NotFoundError,
  ShoppingEvents,
  type CatalogueReplica,
  type Line,
  type OrderPlaced,
  type Outbox,
} from '@shop/common';
import type { CartRepository } from '../database/cart-repository';
import type { Order, OrderVerdict } from '../database/models/order';
import type { OrderRepository } from '../database/order-repository';
import { cartUpdatedEvent } from './cart-events';
import { lineProduct, orderAmount } from './pricing';

export interface OrderView {
  orderId: string;
  customerId: string;
  amount: number;
  status: Order['status'];
  items: Line[];
  txnNumber: string | null;
  reason?: string;
  createdAt: string;
}

const SOURCE = 'shopping';
/** How long a placement may take before another request or the catch-up finishes it instead. */
export const PLACEMENT_GRACE_MS = 5000;

/** The order as the API shows it: its verdict, once there is one, decides the status. */
export function toOrderView(order: Order, verdict?: OrderVerdict | null): OrderView {
  const reason = verdict ? verdict.reason : order.reason;
  return {
    orderId: order._id,
    customerId: order.customerId,
    amount: order.amount,
    status: verdict?.status ?? order.status,
    items: order.items,
    txnNumber: order.txnNumber,
    ...(reason ? { reason } : {}),
    createdAt: new Date(order.createdAt).toISOString(),
  };
}

/** Placing orders (command), reading them (query), and the saga's verdict on their stock. */
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
   * order back; a txnNumber seen before returns its order even after the cart has moved on.
   * Before the order is written, its duty to be announced is noted in `orders_to_announce`; the
   * note goes once order.placed is in the outbox and the cart is emptied. No write here touches
   * the orders already stored (on FerretDB any update of them would read them all).
   */
  async placeOrder(customerId: string, txnNumber: string | null): Promise<{ order: OrderView; created: boolean }> {
    if (txnNumber) {
      const earlier = await this.orders.findRequest(customerId, txnNumber);
      const order = earlier && (await this.orders.findById(earlier.orderId));
      if (order) return { order: await this.view(order), created: false };
    }
    const cart = await this.carts.find(customerId);
    if (cart.items.length === 0) throw new ConflictError('The cart is empty', 'EMPTY_CART');
    const orderId = `${customerId}-${cart.version}`;
    const createdAt = new Date();
    const [priced, noted] = await Promise.allSettled([
      this.priceAtOrderTime(cart.items),
      this.orders.markToAnnounce({ _id: orderId, customerId, cartVersion: cart.version, createdAt }),
    ]);
    if (priced.status === 'rejected' || noted.status === 'rejected') {
      // Nothing was ordered: a note of our own would only send the catch-up looking.
      if (noted.status === 'fulfilled' && noted.value) await this.orders.announced(orderId);
      throw priced.status === 'rejected' ? priced.reason : (noted as PromiseRejectedResult).reason;
    }
    const items = priced.value;
    const order: Order = { _id: orderId, customerId, items, amount: orderAmount(items), status: 'received', txnNumber, cartVersion: cart.version, createdAt };
    if (await this.orders.insert(order)) {
      await this.finish(order, txnNumber, { fresh: true });
      return { order: toOrderView(order), created: true };
    }
    const stored = await this.orders.findById(orderId);
    if (!stored) throw new Error(`order ${orderId} vanished`);
    if (noted.value) {
      // Our note came after the first placement had removed its own: finish again, harmlessly.
      await this.finish(stored, txnNumber, { fresh: false });
    } else {
      if (txnNumber) await this.orders.recordRequest(customerId, txnNumber, stored._id);
      // The first placement is at work, or crashed in between: then finish it now.
      const due = await this.orders.findToAnnounce(orderId);
      if (due && due.createdAt.getTime() < Date.now() - PLACEMENT_GRACE_MS) await this.finish(stored, txnNumber, { fresh: false });
    }
    return { order: await this.view(stored), created: false };
  }

  /** Finishes placements that a crash cut off (noted longer ago than the grace); runs at start and periodically. */
  async announcePending(graceMs = PLACEMENT_GRACE_MS): Promise<number> {
    const due = await this.orders.findDueBefore(new Date(Date.now() - graceMs));
    for (const entry of due) {
      const order = await this.orders.findById(entry._id);
      // No order: the placement stopped before writing it, and the cart was not touched.
      if (order) await this.finish(order, order.txnNumber, { fresh: false });
      else await this.orders.announced(entry._id);
    }
    return due.length;
  }

  /**
   * Everything after the order is written: its txnNumber, order.placed in the outbox, the cart
   * emptied and announced; then the note goes. All idempotent, so a second run (a retry, the
   * catch-up) changes nothing twice: an event id still in the outbox is stored once, one already
   * relayed goes again under the same id and consumers drop it.
   */
  private async finish(order: Order, txnNumber: string | null, { fresh }: { fresh: boolean }): Promise<void> {
    const { _id: orderId, customerId } = order;
    await Promise.all([
      // Added first, so order.placed is relayed before the emptied cart's cart.updated.
      this.outbox.add(
        createEvent<OrderPlaced>({
          type: ShoppingEvents.orderPlaced,
          id: `${ShoppingEvents.orderPlaced}:${orderId}`,
          data: { ...toOrderView(order), txnNumber: order.txnNumber },
          source: SOURCE,
          correlationId: currentRequestId(),
        }),
      ),
      txnNumber ? this.orders.recordRequest(customerId, txnNumber, orderId) : undefined,
      this.emptyCart(customerId, order.cartVersion, { fresh }),
    ]);
    await this.orders.announced(orderId);
  }

  async listOrders(customerId: string): Promise<OrderView[]> {
    const orders = await this.orders.findByCustomer(customerId);
    const verdicts = new Map((await this.orders.findVerdicts(orders.map((order) => order._id))).map((verdict) => [verdict._id, verdict]));
    return orders.map((order) => toOrderView(order, verdicts.get(order._id)));
  }

  /** An order of this customer's; another customer's order is as unknown as a missing one. */
  async getOrder(customerId: string, orderId: string): Promise<OrderView> {
    const [order, verdict] = await Promise.all([this.orders.findById(orderId), this.orders.findVerdict(orderId)]);
    if (!order || order.customerId !== customerId) throw new NotFoundError('No such order', 'ORDER_NOT_FOUND');
    return toOrderView(order, verdict);
  }

  /** The first verdict stands: a second delivery, or a contradicting one, is a duplicate key. */
  async stockReserved(orderId: string): Promise<void> {
    await this.orders.recordVerdict({ _id: orderId, status: 'confirmed', decidedAt: new Date() });
  }

  async stockRejected(orderId: string, reason: string): Promise<void> {
    await this.orders.recordVerdict({ _id: orderId, status: 'rejected', reason, decidedAt: new Date() });
  }

  private async view(order: Order): Promise<OrderView> {
    return toOrderView(order, await this.orders.findVerdict(order._id));
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
   * its own). When finishing again, the cart's current state is announced
   * whatever it is: that is always right, and its event id names its version.
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
