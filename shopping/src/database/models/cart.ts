import { Schema, type Connection, type Model } from 'mongoose';
import type { Line } from '@shop/common';

/** A customer's cart, keyed by customer id. Never deleted: ordering empties it and bumps the version. */
export interface Cart {
  _id: string;
  items: Line[];
  /** Increases with every change; an order is keyed by the cart version it was made from. */
  version: number;
  /** False from a change until its cart.updated is in the outbox (one write with the change). */
  announced: boolean;
}

const lineSchema = new Schema({ product: { type: Schema.Types.Mixed, required: true }, unit: { type: Number, required: true } }, { _id: false });

const cartSchema = new Schema<Cart>(
  {
    _id: { type: String, required: true },
    items: { type: [lineSchema], default: [] },
    version: { type: Number, required: true },
    announced: { type: Boolean, default: false, index: true },
  },
  { versionKey: false, collection: 'carts' },
);

export function cartModel(connection: Connection): Model<Cart> {
  return connection.models.Cart ?? connection.model<Cart>('Cart', cartSchema);
}
