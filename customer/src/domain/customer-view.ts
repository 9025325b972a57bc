import {
  ORDER_STATUS_MOVES,
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

/**
 * What other services know about a customer besides the orders: the newest cart shopping
 * announced. One document per customer; the orders are documents of their own (CustomerOrder).
 */
export interface CustomerView {
  _id: string;
  cart: Line[];
  cartVersion: number;
}

export const emptyCustomerView = (customerId: string): CustomerView => ({ _id: customerId, cart: [], cartVersion: 0 });

/** An order as the customer view keeps it, keyed by the order id. */
export interface CustomerOrder {
  _id: string;
  customerId: string;
  amount: number;
  status: OrderStatus;
  items: Line[];
  txnNumber: string | null;
  date: Date;
  reason?: string;
}

/** An order as the profile and the shopping details show it: the original's shape, its id also as `orderId`. */
export type OrderSummary = Omit<CustomerOrder, 'customerId'> & { orderId: string };

export function orderSummary({ _id, amount, status, items, txnNumber, date, reason }: CustomerOrder): OrderSummary {
  return { _id, orderId: _id, amount, status, items, txnNumber, date, ...(reason === undefined ? {} : { reason }) };
}

/** What one event changes in a customer's view. */
export type ViewChange =
  | { kind: 'cart-updated'; change: CartUpdated }
  | { kind: 'order-placed'; change: OrderPlaced }
  | { kind: 'stock-reserved'; change: StockReserved }
  | { kind: 'stock-rejected'; change: StockRejected }
  | { kind: 'order-cancelled'; change: OrderCancelled }
  | { kind: 'stock-released'; change: StockReleased };

/** A legal move of an order's status: to `to`, only from one of `from` (order-status.ts). */
export interface StatusMove {
  orderId: string;
  from: readonly OrderStatus[];
  to: OrderStatus;
  reason?: string;
}

/** An order to insert, with the moves of its batch already applied; the moves are kept for an order stored before. */
export interface NewOrder {
  order: CustomerOrder;
  moves: StatusMove[];
}

/**
 * The writes a customer's batch of changes makes: the newest cart (set if newer than the stored
 * one), the orders to insert (once each), and the status moves of orders placed in earlier
 * batches (each order's in the order they came).
 */
export interface ViewWrites {
  cart?: CartUpdated;
  newOrders: NewOrder[];
  moves: StatusMove[];
}

const STATUS_EVENTS: Record<Exclude<ViewChange['kind'], 'cart-updated' | 'order-placed'>, OrderStatusEvent> = {
  'stock-reserved': StockEvents.stockReserved,
  'stock-rejected': StockEvents.stockRejected,
  'order-cancelled': ShoppingEvents.orderCancelled,
  'stock-released': StockEvents.stockReleased,
};

/**
 * Which writes a customer's changes make. Each write is idempotent by itself (a cart only if
 * newer, an order inserted once, a status moved only from the statuses the move may leave), so
 * an event delivered twice changes nothing twice. An order placed in the batch is inserted with
 * the batch's moves of it applied: status moves commute with its placing.
 */
export function viewWrites(changes: readonly ViewChange[]): ViewWrites {
  let cart: CartUpdated | undefined;
  const placed = new Map<string, OrderPlaced>();
  const movesByOrder = new Map<string, StatusMove[]>();
  for (const { kind, change } of changes) {
    if (kind === 'cart-updated') {
      if (!cart || change.version > cart.version) cart = change;
    } else if (kind === 'order-placed') {
      if (!placed.has(change.orderId)) placed.set(change.orderId, change);
    } else {
      const moves = movesByOrder.get(change.orderId) ?? [];
      moves.push(statusMove(change.orderId, STATUS_EVENTS[kind], 'reason' in change ? change.reason : undefined));
      movesByOrder.set(change.orderId, moves);
    }
  }
  const newOrders = [...placed.values()].map((order) => {
    const moves = movesByOrder.get(order.orderId) ?? [];
    return { order: moves.reduce(movedOrder, customerOrder(order)), moves };
  });
  const moves = [...movesByOrder].flatMap(([orderId, orderMoves]) => (placed.has(orderId) ? [] : orderMoves));
  return { ...(cart ? { cart } : {}), newOrders, moves };
}

function statusMove(orderId: string, event: OrderStatusEvent, reason?: string): StatusMove {
  const { from, to } = ORDER_STATUS_MOVES[event];
  return { orderId, from, to, ...(reason === undefined ? {} : { reason }) };
}

function customerOrder({ orderId, customerId, amount, status, items, txnNumber, createdAt }: OrderPlaced): CustomerOrder {
  return { _id: orderId, customerId, amount, status, items, txnNumber, date: new Date(createdAt) };
}

/** The order after the move, or as it was when the move may not leave its status. */
export function movedOrder(order: CustomerOrder, { from, to, reason }: StatusMove): CustomerOrder {
  if (!from.includes(order.status)) return order;
  return { ...order, status: to, ...(reason === undefined ? {} : { reason }) };
}
