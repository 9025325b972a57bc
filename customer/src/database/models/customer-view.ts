import { Schema, type Connection, type Model } from 'mongoose';
import type { Line, OrderStatus } from '@shop/common';

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
 * The read model of what other services know about a customer (cart and orders), kept current
 * from their events. Keyed by customer id: one indexed read on FerretDB and MongoDB alike.
 * Only the event consumers write it; `version` counts the writes, so that a write made from a view
 * another instance has changed since it was read can be refused.
 */
export interface CustomerView {
  _id: string;
  cart: Line[];
  cartVersion: number;
  orders: OrderSummary[];
  /** 0 for a view not stored yet. */
  version: number;
}

// The product of a line is a snapshot owned by shopping's events; stored as it came.
const lineSchema = new Schema({ product: Schema.Types.Mixed, unit: Number }, { _id: false });

const customerViewSchema = new Schema<CustomerView>(
  {
    _id: { type: String, required: true },
    cart: { type: [lineSchema], default: [] },
    cartVersion: { type: Number, default: 0 },
    version: Number,
    orders: {
      type: [new Schema({ _id: String, orderId: String, amount: Number, status: String, items: [lineSchema], txnNumber: String, date: Date, reason: String }, { _id: false })],
      default: [],
    },
  },
  { versionKey: false, collection: 'customer_views' },
);

export function customerViewModel(connection: Connection): Model<CustomerView> {
  return connection.models.CustomerView ?? connection.model<CustomerView>('CustomerView', customerViewSchema);
}
