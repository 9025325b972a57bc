import { Schema, type Connection, type Model } from 'mongoose';
import type { Line, OrderStatus } from '@shop/common';

/**
 * An order. Its id is made from the customer and the cart version it was made from, so a second
 * order from the same cart is a duplicate-key insert: the one race FerretDB settles atomically.
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
  /**
   * False until order.placed is in the outbox. Stored with the order in one write, so an order
   * whose announcement a crash cut off is found and announced later.
   */
  announced: boolean;
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
    announced: { type: Boolean, default: false, index: true },
  },
  { versionKey: false, collection: 'orders' },
);

const orderRequestSchema = new Schema<OrderRequest>(
  { _id: { type: String, required: true }, orderId: { type: String, required: true } },
  { versionKey: false, collection: 'order_requests' },
);

export function orderModel(connection: Connection): Model<Order> {
  return connection.models.Order ?? connection.model<Order>('Order', orderSchema);
}

export function orderRequestModel(connection: Connection): Model<OrderRequest> {
  return connection.models.OrderRequest ?? connection.model<OrderRequest>('OrderRequest', orderRequestSchema);
}
