import { Schema, type Connection, type Model } from 'mongoose';
import type { Line, OrderStatus } from '@shop/common';

/**
 * An order, written once and never updated. Its id is made from the customer and the cart version
 * it was made from, so a second order from the same cart is a duplicate-key insert: the one race
 * FerretDB settles atomically. On FerretDB 1.24 (SQLite) only an insert uses the `_id` index: an
 * update or delete, even by `_id`, reads the whole collection, and orders grow without bound. So
 * what happens to an order later is an insert elsewhere: its verdict into `order_verdicts`; its
 * duty to be announced lives in the small `orders_to_announce`.
 */
export interface Order {
  _id: string;
  customerId: string;
  items: Line[];
  amount: number;
  /** `received` when written; the verdict on the stock, kept in `order_verdicts`, overrides it. */
  status: OrderStatus;
  txnNumber: string | null;
  cartVersion: number;
  reason?: string;
  createdAt: Date;
}

/** Products' verdict on an order's stock, keyed by order id: the first verdict is the one that counts. */
export interface OrderVerdict {
  _id: string;
  status: Extract<OrderStatus, 'confirmed' | 'rejected'>;
  reason?: string;
  decidedAt: Date;
}

/**
 * An order whose announcement (order.placed) and emptied cart may not both be stored yet. Written before the order and removed when all of that is done, so the collection
 * holds only orders in flight (and those a crash interrupted, which the catch-up finishes).
 */
export interface OrderToAnnounce {
  _id: string;
  customerId: string;
  cartVersion: number;
  createdAt: Date;
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
    customerId: { type: String, required: true, index: true },
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

const orderVerdictSchema = new Schema<OrderVerdict>(
  {
    _id: { type: String, required: true },
    status: { type: String, required: true },
    reason: String,
    decidedAt: { type: Date, required: true },
  },
  { versionKey: false, collection: 'order_verdicts' },
);

const orderToAnnounceSchema = new Schema<OrderToAnnounce>(
  {
    _id: { type: String, required: true },
    customerId: { type: String, required: true },
    cartVersion: { type: Number, required: true },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false, collection: 'orders_to_announce' },
);

const orderRequestSchema = new Schema<OrderRequest>(
  { _id: { type: String, required: true }, orderId: { type: String, required: true } },
  { versionKey: false, collection: 'order_requests' },
);

export function orderModel(connection: Connection): Model<Order> {
  return connection.models.Order ?? connection.model<Order>('Order', orderSchema);
}

export function orderVerdictModel(connection: Connection): Model<OrderVerdict> {
  return connection.models.OrderVerdict ?? connection.model<OrderVerdict>('OrderVerdict', orderVerdictSchema);
}

export function orderToAnnounceModel(connection: Connection): Model<OrderToAnnounce> {
  return connection.models.OrderToAnnounce ?? connection.model<OrderToAnnounce>('OrderToAnnounce', orderToAnnounceSchema);
}

export function orderRequestModel(connection: Connection): Model<OrderRequest> {
  return connection.models.OrderRequest ?? connection.model<OrderRequest>('OrderRequest', orderRequestSchema);
}
