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
import type { Order } from '../database/models/order';
import type { OrderRepository } from '../database/order-repository';
import { announceCart } from './cart-events';
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
   */
  async placeOrder(customerId: string, txnNumber: string | null): Promise<{ order: OrderView; created: boolean }> {
    if (txnNumber) {
      const earlier = await this.orders.findRequest(customerId, txnNumber);
      const order = earlier && (await this.orders.findById(earlier.orderId));
      if (order) return { order: toOrderView(order), created: false };
    }
    const cart = await this.carts.find(customerId);
    if (cart.items.length === 0) throw new ConflictError('The cart is empty', 'EMPTY_CART');
    const items = await this.priceAtOrderTime(cart.items);
    const order: Order = {
      _id: `${customerId}-${cart.version}`,
      customerId,
      items,
      amount: orderAmount(items),
      status: 'received',
      txnNumber,
      cartVersion: cart.version,
      createdAt: new Date(),
      announced: false,
    };
    const created = await this.orders.insert(order);
    const stored = created ? order : await this.orders.findById(order._id);
    if (!stored) throw new Error(`order ${order._id} vanished`);
    if (txnNumber) await this.orders.recordRequest(customerId, txnNumber, stored._id);
    // Also on the duplicate path: a first attempt that crashed here still gets its event (same id).
    await this.announce(stored, currentRequestId());
    await this.emptyCart(customerId, cart.version);
    return { order: toOrderView(stored), created };
  }

  /** Announces orders that a crash left unannounced; runs at start and periodically. */
  async announcePending(graceMs = 5000): Promise<number> {
    const pending = await this.orders.findUnannounced(new Date(Date.now() - graceMs));
    for (const order of pending) await this.announce(order);
    return pending.length;
  }

  private async announce(order: Order, correlationId?: string): Promise<void> {
    await this.outbox.add(
      createEvent<OrderPlaced>({
        type: ShoppingEvents.orderPlaced,
        id: `${ShoppingEvents.orderPlaced}:${order._id}`,
        data: { ...toOrderView(order), txnNumber: order.txnNumber },
        source: SOURCE,
        correlationId,
      }),
    );
    if (!order.announced) await this.orders.markAnnounced(order._id);
  }

  async listOrders(customerId: string): Promise<OrderView[]> {
    return (await this.orders.findByCustomer(customerId)).map(toOrderView);
  }

  /** An order of this customer's; another customer's order is as unknown as a missing one. */
  async getOrder(customerId: string, orderId: string): Promise<OrderView> {
    const order = await this.orders.findById(orderId);
    if (!order || order.customerId !== customerId) throw new NotFoundError('No such order', 'ORDER_NOT_FOUND');
    return toOrderView(order);
  }

  async stockReserved(orderId: string): Promise<void> {
    await this.orders.setStatus(orderId, 'received', 'confirmed');
  }

  async stockRejected(orderId: string, reason: string): Promise<void> {
    await this.orders.setStatus(orderId, 'received', 'rejected', reason);
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

  private async emptyCart(customerId: string, orderedVersion: number): Promise<void> {
    // If the cart changed after it was read, those newer lines stay for the next order.
    const version = await this.carts.replaceItems(customerId, orderedVersion, []);
    if (version === undefined) return;
    await announceCart(this.outbox, this.carts, customerId, [], version);
  }
}
