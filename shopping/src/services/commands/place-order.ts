import {
  CANCELLABLE_STATUSES,
  ConflictError,
  createEvent,
  currentRequestId,
  NotFoundError,
  ORDER_STATUS_MOVES,
  orderEventId,
  ShoppingEvents,
  type CatalogueReplica,
  type EventEnvelope,
  type Line,
  type OrderCancelled,
  type OrderPlaced,
  type OrderStatusEvent,
  type Outbox,
} from '@shop/common';
import type { CartRepository } from '../database/cart-repository';
import type { Order, OrderView } from '../database/models/order';
import type { OrderRepository } from '../database/order-repository';
import { announceCart, cartUpdatedEvent } from './cart-events';
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

/**
 * Placing orders and cancelling them (commands), reading them (query), and the saga's stock
 * events moving their status. Every status move is one guarded update of the order.
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
   * order back; a txnNumber seen before returns its order even after the cart has moved on.
   */
  async placeOrder(customerId: string, txnNumber: string | null): Promise<{ order: OrderView; created: boolean }> {
    const cart = await this.carts.find(customerId);
    if (cart.items.length === 0) {
      // The cart may be empty because this txnNumber's order emptied it: that order comes back.
      const earlier = txnNumber ? await this.requestedOrder(customerId, txnNumber) : null;
      if (earlier) return { order: toOrderView(earlier), created: false };
      throw new ConflictError('The cart is empty', 'EMPTY_CART');
    }
    const orderId = `${customerId}-${cart.version}`;
    if (txnNumber && !(await this.orders.claimRequest(customerId, txnNumber, orderId))) {
      const earlier = await this.requestedOrder(customerId, txnNumber);
      if (earlier) return { order: toOrderView(earlier), created: false };
      // Claimed by an attempt that never wrote its order (it failed or crashed): this one takes it over.
      await this.orders.reclaimRequest(customerId, txnNumber, orderId);
    }
    const items = await this.priceAtOrderTime(cart.items);
    const now = new Date();
    const order: Order = {
      _id: orderId,
      customerId,
      items,
      amount: orderAmount(items),
      status: 'received',
      txnNumber,
      cartVersion: cart.version,
      createdAt: now,
      announced: false,
      updatedAt: now,
    };
    if (await this.orders.insert(order)) {
      await this.announce(order, { fresh: true });
      return { order: toOrderView(order), created: true };
    }
    const stored = await this.orders.findById(orderId);
    if (!stored) throw new Error(`order ${orderId} vanished`);
    // The first placement is at work (leave it to it), or crashed in between: then finish it now.
    if (!stored.announced && stored.updatedAt.getTime() < Date.now() - PLACEMENT_GRACE_MS) await this.announce(stored, { fresh: false });
    return { order: toOrderView(stored), created: false };
  }

  /**
   * Cancels an order that is received or confirmed: it is `cancelling` until products has given
   * its stock back (stock.released), then `cancelled`. Cancelling again answers the order as it
   * is; a rejected order cannot be cancelled.
   */
  async cancelOrder(customerId: string, orderId: string): Promise<OrderView> {
    for (;;) {
      const order = await this.orders.findOfCustomer(customerId, orderId);
      if (!order) throw new NotFoundError('No such order', 'ORDER_NOT_FOUND');
      if (order.status === 'cancelling' || order.status === 'cancelled') return toOrderView(order);
      if (!CANCELLABLE_STATUSES.includes(order.status)) {
        throw new ConflictError(`A ${order.status} order cannot be cancelled`, 'ORDER_NOT_CANCELLABLE');
      }
      const cancelling = await this.orders.moveStatus(orderId, CANCELLABLE_STATUSES, 'cancelling', { announce: true });
      // Null: a verdict moved the order meanwhile; decide again on its new status.
      if (cancelling) {
        // order.placed goes again only if its placement may not have been announced yet.
        await this.announce(cancelling, { fresh: false, placement: !order.announced });
        return toOrderView(cancelling);
      }
    }
  }

  /** Announces orders whose events a crash kept from the outbox (at start and periodically). */
  async announcePending(graceMs = PLACEMENT_GRACE_MS): Promise<number> {
    const due = await this.orders.findUnannouncedBefore(new Date(Date.now() - graceMs));
    for (const order of due) await this.announce(order, { fresh: false });
    return due.length;
  }

  /**
   * Puts the events of the order's state in the outbox, then marks it announced: order.placed
   * with the emptied cart (and, when finishing again, its txnNumber tied to it), and
   * order.cancelled once it is cancelling. All idempotent, so a second run changes nothing twice:
   * an event id still in the outbox is stored once, one already relayed goes again under the
   * same id and consumers drop it.
   */
  private async announce(order: Order, { fresh, placement = true }: { fresh: boolean; placement?: boolean }): Promise<void> {
    const { _id: orderId, customerId, txnNumber } = order;
    if (placement) {
      await Promise.all([
        // Added first, so order.placed is relayed before the emptied cart's cart.updated.
        this.outbox.add(this.event<OrderPlaced>(ShoppingEvents.orderPlaced, orderId, { ...toOrderView(order), status: 'received' })),
        !fresh && txnNumber ? this.orders.claimRequest(customerId, txnNumber, orderId) : undefined,
        this.emptyCart(customerId, order.cartVersion, { fresh }),
      ]);
    }
    if (order.status === 'cancelling') {
      await this.outbox.add(this.event<OrderCancelled>(ShoppingEvents.orderCancelled, orderId, { orderId, customerId, items: order.items }));
    }
    await this.orders.markAnnounced(orderId);
  }

  private event<T extends object>(type: string, orderId: string, data: T): EventEnvelope<T> {
    return createEvent<T>({ type, id: orderEventId(type, orderId), data, source: SOURCE, correlationId: currentRequestId() });
  }

  /** The customer's orders, newest first. */
  async listOrders(customerId: string): Promise<OrderView[]> {
    return (await this.orders.listOfCustomer(customerId)).map(toOrderView);
  }

  /** An order of this customer's; another customer's order is as unknown as a missing one. */
  async getOrder(customerId: string, orderId: string): Promise<OrderView> {
    const order = await this.orders.findOfCustomer(customerId, orderId);
    if (!order) throw new NotFoundError('No such order', 'ORDER_NOT_FOUND');
    return toOrderView(order);
  }

  /** Moves the order as a stock event of the saga says (idempotent: a move happens once, from its statuses only). */
  async applyStockEvent(type: OrderStatusEvent, orderId: string, reason?: string): Promise<void> {
    const { from, to } = ORDER_STATUS_MOVES[type];
    await this.orders.moveStatus(orderId, from, to, { reason });
  }

  private async requestedOrder(customerId: string, txnNumber: string): Promise<Order | null> {
    const request = await this.orders.findRequest(customerId, txnNumber);
    return request && this.orders.findById(request.orderId);
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
   * the next order), and announces it. When finishing again, the cart's current state is
   * announced whatever it is: that is always right, and its event id names its version.
   */
  private async emptyCart(customerId: string, orderedVersion: number, { fresh }: { fresh: boolean }): Promise<void> {
    const emptied = await this.carts.emptyAt(customerId, orderedVersion);
    if (emptied) {
      await announceCart(this.outbox, this.carts, emptied);
    } else if (!fresh) {
      const cart = await this.carts.find(customerId);
      if (cart.version > orderedVersion) await this.outbox.add(cartUpdatedEvent(customerId, cart.items, cart.version));
    }
  }
}
