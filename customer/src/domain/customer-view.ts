import {
  nextOrderStatus,
  ShoppingEvents,
  StockEvents,
  type CartUpdated,
  type Line,
  type OrderCancelled,
  type OrderPlaced,
  type OrderStatus,
  type OrderStatusEvent,
  type StockRejected,
  type StockReleased,
  type StockReserved,
} from '@shop/common/contracts';

export interface OrderSummary {
  _id: string;
  orderId: string;
  amount: number;
  status: OrderStatus;
  items: Line[];
  txnNumber: string | null;
  date: Date;
  reason?: string;
}

/**
 * What other services know about a customer (cart and orders), kept current from their events.
 * `version` counts the writes, so that a write made from a view another instance has changed
 * since it was read can be refused.
 */
export interface CustomerView {
  _id: string;
  cart: Line[];
  cartVersion: number;
  orders: OrderSummary[];
  /** 0 for a view not stored yet. */
  version: number;
}

export const emptyCustomerView = (customerId: string): CustomerView => ({ _id: customerId, cart: [], cartVersion: 0, orders: [], version: 0 });

/** What one event changes in a customer's view. */
export type ViewChange =
  | { kind: 'cart-updated'; change: CartUpdated }
  | { kind: 'order-placed'; change: OrderPlaced }
  | { kind: 'stock-reserved'; change: StockReserved }
  | { kind: 'stock-rejected'; change: StockRejected }
  | { kind: 'order-cancelled'; change: OrderCancelled }
  | { kind: 'stock-released'; change: StockReleased };

/**
 * Applies one change to the view in memory; false if the view had it already. Each change is
 * idempotent and commutes with the others (a cart applies only if newer, an order is added
 * once, a status moves by the rule of order-status.ts), so an event delivered twice leaves the
 * view as once, in whatever order the events come.
 */
export function applyViewChange(view: CustomerView, { kind, change }: ViewChange): boolean {
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

/** The newest cart when every change is a cart's, else undefined: such changes can be set in place. */
export function onlyCarts(changes: readonly ViewChange[]): CartUpdated | undefined {
  let newest: CartUpdated | undefined;
  for (const { kind, change } of changes) {
    if (kind !== 'cart-updated') return undefined;
    if (!newest || change.version > newest.version) newest = change;
  }
  return newest;
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

/** The view's orders as the order history reads them: newest first. */
export function newestFirst(orders: readonly OrderSummary[]): OrderSummary[] {
  return [...orders].sort((a, b) => new Date(b.date).getTime() - new Date(a.date).getTime());
}
