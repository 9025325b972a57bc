import { Schema, type Connection, type Model } from 'mongoose';
import type { Line } from '@shop/common';

/** A customer's cart, keyed by customer id. Never deleted: ordering empties it and bumps the version. */
export interface Cart {
  _id: string;
  items: Line[];
  /** Increases with every change; an order is keyed by the cart version it was made from. */
  version: number;
}

/**
 * A cart change whose cart.updated may not be in the outbox yet: inserted before the change,
 * deleted once the event is stored, so the collection holds only changes in flight (and those a
 * crash interrupted, which the catch-up announces). Cheaper on FerretDB than a flag on the cart,
 * whose clearing would be a second update of the carts, each of which reads them all.
 */
export interface CartToAnnounce {
  _id: string;
  customerId: string;
  createdAt: Date;
}

const lineSchema = new Schema({ product: { type: Schema.Types.Mixed, required: true }, unit: { type: Number, required: true } }, { _id: false });

const cartSchema = new Schema<Cart>(
  {
    _id: { type: String, required: true },
    items: { type: [lineSchema], default: [] },
    version: { type: Number, required: true },
  },
  { versionKey: false, collection: 'carts' },
);

const cartToAnnounceSchema = new Schema<CartToAnnounce>(
  {
    _id: { type: String, required: true },
    customerId: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false, collection: 'carts_to_announce' },
);

export function cartModel(connection: Connection): Model<Cart> {
  return connection.models.Cart ?? connection.model<Cart>('Cart', cartSchema);
}

export function cartToAnnounceModel(connection: Connection): Model<CartToAnnounce> {
  return connection.models.CartToAnnounce ?? connection.model<CartToAnnounce>('CartToAnnounce', cartToAnnounceSchema);
}
