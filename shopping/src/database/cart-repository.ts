import { LaterUpdates, type Line } from '@shop/common';
import mongoose, { type Connection, type Model } from 'mongoose';
import { cartModel, type Cart } from './models/cart';

/** A cart as the services see it: its lines in the order they were added, and its version. */
export interface CartState {
  customerId: string;
  items: Line[];
  version: number;
}

const EMPTY = (customerId: string): CartState => ({ customerId, items: [], version: 0 });
const stateOf = (cart: Cart): CartState => ({ customerId: cart._id, items: Object.values(cart.lines ?? {}), version: cart.version });
const linePath = (productId: string): string => `lines.${productId}`;

/** Carts; every change is one atomic update that bumps the version and marks it to announce. */
export class CartRepository {
  private readonly model: Model<Cart>;
  private readonly marks: LaterUpdates<Cart>;

  constructor(connection: Connection) {
    this.model = cartModel(connection);
    this.marks = new LaterUpdates(this.model);
  }

  async find(customerId: string): Promise<CartState> {
    const cart = await this.model.findById(customerId).lean();
    return cart ? stateOf(cart) : EMPTY(customerId);
  }

  /** Sets the product's line (adds it, or replaces its quantity and price); returns the cart after. */
  async setLine(customerId: string, line: Line): Promise<CartState> {
    const cart = await this.model
      .findOneAndUpdate(
        { _id: customerId },
        { $set: { [linePath(line.product._id)]: line, announced: false, updatedAt: new Date() }, $inc: { version: 1 } },
        { upsert: true, returnDocument: 'after' },
      )
      .lean();
    return stateOf(cart!);
  }

  /** Removes the product's line; returns the removed line and the cart after, or null when it was not there. */
  async removeLine(customerId: string, productId: string): Promise<{ removed: Line; cart: CartState } | null> {
    const before = await this.model
      .findOneAndUpdate(
        { _id: customerId, [linePath(productId)]: mongoose.trusted({ $exists: true }) },
        { $unset: { [linePath(productId)]: '' }, $set: { announced: false, updatedAt: new Date() }, $inc: { version: 1 } },
      )
      .lean();
    if (!before) return null;
    const { items, version } = stateOf(before);
    return { removed: before.lines[productId]!, cart: { customerId, items: items.filter((item) => item.product._id !== productId), version: version + 1 } };
  }

  /**
   * Empties the cart if it is still at the version an order was made from; returns it after, or
   * null. The order announces the emptied cart, and its own flag makes the catch-up finish that;
   * a cart.updated carries the whole cart, so that announcement stands for every earlier version
   * too, and the cart owes nothing more (a mark of an earlier version arriving late finds nothing).
   */
  async emptyAt(customerId: string, version: number): Promise<CartState | null> {
    const cart = await this.model
      .findOneAndUpdate({ _id: customerId, version }, { $set: { lines: {}, announced: true, updatedAt: new Date() }, $inc: { version: 1 } }, { returnDocument: 'after' })
      .lean();
    return cart && stateOf(cart);
  }

  /** Records, a moment later, that the cart.updated of this version is sent (a newer change announces itself). */
  markAnnounced(customerId: string, version: number): void {
    this.marks.updateOne({ _id: customerId, version }, { $set: { announced: true } });
  }

  /** Carts changed before the given date whose change is not announced: a crash (or a very slow request) cut it off. */
  async findUnannouncedBefore(changedBefore: Date): Promise<CartState[]> {
    return (await this.model.find({ announced: false, updatedAt: mongoose.trusted({ $lt: changedBefore }) }).lean()).map(stateOf);
  }
}
