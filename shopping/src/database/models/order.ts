import { Schema, type Connection, type Model } from 'mongoose';
import type { OrderFacts } from '../../domain/order';

/**
 * An order: the write model of the saga and the read model of the shopper's orders. Its id is
 * the customer plus the cart version it was made from, so a second order from the same cart is a
 * duplicate-key insert. `announced` is false from a change until the events that announce it
 * are confirmed by the broker or stored in the outbox: a crash in between leaves it false, and
 * the catch-up announces it again.
 */
export interface Order extends OrderFacts {
  cartVersion: number;
  announced: boolean;
  /** When the status last moved by the shopper's or the saga's hand. */
  updatedAt: Date;
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
    announced: { type: Boolean, required: true },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false, collection: 'orders' },
);
// A shopper's orders, newest first; and the few whose events are not yet sent.
orderSchema.index({ customerId: 1, createdAt: -1 });
orderSchema.index({ announced: 1, updatedAt: 1 });

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
