import { Schema, type Connection, type Model } from 'mongoose';
import type { CustomerOrder, CustomerView } from '../../domain/customer-view';

export type { CustomerOrder, CustomerView } from '../../domain/customer-view';

// The product of a line is a snapshot owned by shopping's events; stored as it came.
const lineSchema = new Schema({ product: Schema.Types.Mixed, unit: Number }, { _id: false });

/** Keyed by customer id: a customer's cart is one read by the primary key. Only the event consumers write it. */
const customerViewSchema = new Schema<CustomerView>(
  {
    _id: { type: String, required: true },
    cart: { type: [lineSchema], default: [] },
    cartVersion: { type: Number, default: 0 },
  },
  { versionKey: false, collection: 'customer_views' },
);

/** The customer view's orders, keyed by order id: an order enters by a unique insert, its status moves in place. */
const customerOrderSchema = new Schema<CustomerOrder>(
  {
    _id: { type: String, required: true },
    customerId: { type: String, required: true },
    amount: { type: Number, required: true },
    status: { type: String, required: true },
    items: { type: [lineSchema], required: true },
    txnNumber: { type: String, default: null },
    date: { type: Date, required: true },
    reason: String,
  },
  { versionKey: false, collection: 'customer_orders' },
);
// A customer's orders, newest first, as the profile lists them.
customerOrderSchema.index({ customerId: 1, date: -1, _id: -1 });

export function customerViewModel(connection: Connection): Model<CustomerView> {
  return connection.models.CustomerView ?? connection.model<CustomerView>('CustomerView', customerViewSchema);
}

export function customerOrderModel(connection: Connection): Model<CustomerOrder> {
  return connection.models.CustomerOrder ?? connection.model<CustomerOrder>('CustomerOrder', customerOrderSchema);
}
