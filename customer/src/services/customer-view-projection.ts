import { nextOrderStatus, ShoppingEvents, StockEvents, type CartUpdated, type OrderCancelled, type OrderPlaced, type OrderStatusEvent, type StockRejected, type StockReleased, type StockReserved } from '@shop/common';
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

/**
 * Keeps the customer view current from shopping's and products' events. The events of one
 * customer that arrive together are applied to the view in memory and written once. Each change
 * is idempotent (a cart applies only if newer, an order is added once, a status is set), so an
 * event delivered twice leaves the view as once, and a view nothing changed is not written.
 */
export class CustomerViewProjection {
  constructor(private readonly views: CustomerViewRepository) {}

  /** Changes of one customer's view, in the order their events came. */
  async apply(customerId: string, changes: ViewChange[]): Promise<void> {
    const view = await this.views.find(customerId);
    let changed = false;
    for (const change of changes) {
      if (change.change.customerId !== customerId) throw new Error(`a change of customer ${change.change.customerId} among ${customerId}'s`);
      changed = applyChange(view, change) || changed;
    }
    if (changed) await this.views.save(view);
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
