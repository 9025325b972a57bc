import { Schema, type Connection, type Model } from 'mongoose';
import type { Line } from '@shop/common';

/**
 * A customer's cart, keyed by customer id, its lines keyed by product id so that setting or
 * removing one is a single `$set` or `$unset` of that key (the lines keep the order they were
 * added in). Never deleted: ordering empties it and bumps the version. `announced` is false from
 * a change until its cart.updated is confirmed by the broker or stored in the outbox: a crash in
 * between leaves it false, and the catch-up announces the cart. An order's emptying is announced
 * with the order, under its flag.
 */
export interface Cart {
  _id: string;
  lines: Record<string, Line>;
  /** Increases with every change; an order is keyed by the cart version it was made from. */
  version: number;
  announced: boolean;
  updatedAt: Date;
}

const cartSchema = new Schema<Cart>(
  {
    _id: { type: String, required: true },
    lines: { type: Schema.Types.Mixed, default: {} },
    version: { type: Number, required: true },
    announced: { type: Boolean, required: true },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false, collection: 'carts', minimize: false },
);
// The few carts whose last change is not yet announced.
cartSchema.index({ announced: 1, updatedAt: 1 });

export function cartModel(connection: Connection): Model<Cart> {
  return connection.models.Cart ?? connection.model<Cart>('Cart', cartSchema);
}
