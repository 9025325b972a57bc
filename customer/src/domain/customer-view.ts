import {
  nextOrderStatus,
  ShoppingEvents,
  StockEvents,
  type CartUpdated,
  type OrderCancelled,
  type OrderPlaced,
  type OrderStatusEvent,
  type StockRejected,
  type StockReleased,
  type StockReserved,
} from '@shop/common';
import type { CustomerViewRepository } from '../database/customer-view-repository';
import type { CustomerView } from '../database/models/customer-view';

/** What one event changes in a customer's view. */
export type ViewChange =
  | { kind: 'cart-updated'; change: CartUpdated }
  | { kind: 'order-placed'; change: OrderPlaced }
  | { kind: 'stock-reserved'; change: StockReserved }
  | { kind: 'stock-rejected'; change: StockRejected }
  | { kind: 'order-cancelled'; change: OrderCancelled }
  | { kind: 'stock-released'; change: StockReleased };

/** How often a customer's changes are applied again to a view that another instance wrote meanwhile. */
const ATTEMPTS_PER_DELIVERY = 5;

/**
 * Keeps the customer view current from shopping's and products' events. The events of one
 * customer that arrive together are applied to the view in memory and written once. Each change
 * is idempotent and commutes with the others (a cart applies only if newer, an order is added
 * once, a status moves by the rule of order-status.ts), so an event delivered twice leaves the
 * view as once, in whatever order the events come, and a view nothing changed is not written.
 * Instances of the service apply a customer's events side by side: a write from a view that
 * another changed since it was read is refused, and the changes are applied again to the new one.
 */
export class CustomerViewProjection {
  constructor(private readonly views: CustomerViewRepository) {}

  /** Changes of one customer's view, in the order their events came. */
  async apply(customerId: string, changes: ViewChange[]): Promise<void> {
    for (const change of changes) {
      if (change.change.customerId !== customerId) throw new Error(`a change of customer ${change.change.customerId} among ${customerId}'s`);
    }
    for (let attempt = 1; attempt <= ATTEMPTS_PER_DELIVERY; attempt++) {
      const view = await this.views.find(customerId);
      const changed = changes.reduce((any, change) => applyChange(view, change) || any, false);
      if (!changed || (await this.views.saveIfUnchanged(view))) return;
    }
    // The consumer retries it through the broker.
    throw new Error(`the view of customer ${customerId} kept changing while these changes were applied`);
  }
}

/** Applies one change to the view in memory; false if the view had it already. */
function applyChange(view: CustomerView, { kind, change }: ViewChange): boolean {
  switch (kind) {
    case 'cart-updated':
      return setCart(view, change);
    case 'order-placed':
      return addOrder(view, change);
    case 'stock-reserved':
      return moveStatus(view, change.orderId, StockEvents.stockReserved);
    case 'stock-rejected':
      return moveStatus(view, change.orderId, StockEvents.stockRejected, change.reason);
    case 'order-cancelled':
      return moveStatus(view, change.orderId, ShoppingEvents.orderCancelled);
    case 'stock-released':
      return moveStatus(view, change.orderId, StockEvents.stockReleased);
  }
}

function setCart(view: CustomerView, { items, version }: CartUpdated): boolean {
  if (version <= view.cartVersion) return false;
  view.cart = items;
  view.cartVersion = version;
  return true;
}

function addOrder(view: CustomerView, order: OrderPlaced): boolean {
  if (view.orders.some((existing) => existing.orderId === order.orderId)) return false;
  view.orders.push({
    _id: order.orderId,
    orderId: order.orderId,
    amount: order.amount,
    status: order.status,
    items: order.items,
    txnNumber: order.txnNumber,
    date: new Date(order.createdAt),
  });
  return true;
}

function moveStatus(view: CustomerView, orderId: string, event: OrderStatusEvent, reason?: string): boolean {
  const order = view.orders.find((existing) => existing.orderId === orderId);
  // A saga event can overtake order.placed on the wire only if events were re-ordered;
  // throwing makes the consumer retry until the order is in the view.
  if (!order) throw new Error(`order ${orderId} is not in the view yet`);
  const status = nextOrderStatus(order.status, event);
  if (!status) return false;
  order.status = status;
  if (reason) order.reason = reason;
  return true;
}
