import { Schema, type Connection, type Model } from 'mongoose';
import type { Line, OrderStatus } from '@shop/common';

/**
 * An order, written once and never updated or read on the hot paths: its insert is what makes a
 * second order from the same cart impossible. Its id is made from the customer and the cart
 * version it was made from, so that second order is a duplicate-key insert, the one race FerretDB
 * settles atomically. On FerretDB 1.24 (SQLite) only an insert uses the `_id` index: any other
 * filter decodes every document, and orders grow without bound. The customer's orders are read
 * from `order_histories` (one document per customer) and `orders_in_flight` (a small collection).
 */
export interface Order {
  _id: string;
  customerId: string;
  items: Line[];
  amount: number;
  status: OrderStatus;
  txnNumber: string | null;
  cartVersion: number;
  reason?: string;
  createdAt: Date;
}

/** An order as the API shows it and order.placed carries it. */
export interface OrderView {
  orderId: string;
  customerId: string;
  amount: number;
  status: OrderStatus;
  items: Line[];
  txnNumber: string | null;
  reason?: string;
  createdAt: string;
}

/**
 * An order between its placement and its arrival in the customer's history: written before the
 * order, `announced` once order.placed is in the outbox and the cart emptied, and removed by the
 * consumer that puts the order in the history. So the collection holds only orders in flight, the
 * history plus these is every order of a customer, and a note not announced long after it was
 * written is a placement a crash cut off, which the catch-up finishes.
 */
export interface OrderInFlight {
  _id: string;
  customerId: string;
  order: OrderView;
  announced: boolean;
  createdAt: Date;
}

/**
 * A customer's orders, newest last, with their status: a read model kept by shopping's own event
 * consumer from order.placed and the stock verdicts, its one writer (FerretDB rewrites a whole
 * document on update, so two writers could lose each other's change). A verdict that arrives
 * before its order waits in `verdicts`.
 */
export interface OrderHistory {
  _id: string;
  orders: OrderView[];
  verdicts: OrderVerdict[];
}

/** Products' verdict on an order's stock: the first one counts. */
export interface OrderVerdict {
  orderId: string;
  status: Extract<OrderStatus, 'confirmed' | 'rejected'>;
  reason?: string;
}

/** Remembers which order a customer's txnNumber made, so that a retry gets the same order back. */
export interface OrderRequest {
  _id: string;
  orderId: string;
}

const lineSchema = new Schema({ product: { type: Schema.Types.Mixed, required: true }, unit: { type: Number, required: true } }, { _id: false });

const orderSchema = new Schema<Order>(
  {
    _id: { type: String, required: true },
    customerId: { type: String, required: true },
    items: { type: [lineSchema], required: true },
    amount: { type: Number, required: true },
    status: { type: String, required: true },
    txnNumber: { type: String, default: null },
    cartVersion: { type: Number, required: true },
    reason: String,
    createdAt: { type: Date, required: true },
  },
  { versionKey: false, collection: 'orders' },
);

const orderInFlightSchema = new Schema<OrderInFlight>(
  {
    _id: { type: String, required: true },
    customerId: { type: String, required: true },
    order: { type: Schema.Types.Mixed, required: true },
    announced: { type: Boolean, required: true },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false, collection: 'orders_in_flight' },
);

const orderHistorySchema = new Schema<OrderHistory>(
  {
    _id: { type: String, required: true },
    orders: { type: Schema.Types.Mixed, default: [] },
    verdicts: { type: Schema.Types.Mixed, default: [] },
  },
  { versionKey: false, collection: 'order_histories' },
);

const orderRequestSchema = new Schema<OrderRequest>(
  { _id: { type: String, required: true }, orderId: { type: String, required: true } },
  { versionKey: false, collection: 'order_requests' },
);

export function orderModel(connection: Connection): Model<Order> {
  return connection.models.Order ?? connection.model<Order>('Order', orderSchema);
}

export function orderInFlightModel(connection: Connection): Model<OrderInFlight> {
  return connection.models.OrderInFlight ?? connection.model<OrderInFlight>('OrderInFlight', orderInFlightSchema);
}

export function orderHistoryModel(connection: Connection): Model<OrderHistory> {
  return connection.models.OrderHistory ?? connection.model<OrderHistory>('OrderHistory', orderHistorySchema);
}

export function orderRequestModel(connection: Connection): Model<OrderRequest> {
  return connection.models.OrderRequest ?? connection.model<OrderRequest>('OrderRequest', orderRequestSchema);
}
