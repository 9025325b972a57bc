import { Schema, type Connection, type Model } from 'mongoose';
import type { CustomerView } from '../../domain/customer-view';

export type { CustomerView, OrderSummary } from '../../domain/customer-view';

// The product of a line is a snapshot owned by shopping's events; stored as it came.
const lineSchema = new Schema({ product: Schema.Types.Mixed, unit: Number }, { _id: false });

/** Keyed by customer id: a customer's view is one read by the primary key. Only the event consumers write it. */
const customerViewSchema = new Schema<CustomerView>(
  {
    _id: { type: String, required: true },
    cart: { type: [lineSchema], default: [] },
    cartVersion: { type: Number, default: 0 },
    version: { type: Number, required: true },
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
