import { insertOnce, type Line } from '@shop/common';
import mongoose, { type Connection, type Model } from 'mongoose';
import { cartModel, cartToAnnounceModel, type Cart, type CartToAnnounce } from './models/cart';

export class CartRepository {
  private readonly model: Model<Cart>;
  private readonly toAnnounce: Model<CartToAnnounce>;

  constructor(connection: Connection) {
    this.model = cartModel(connection);
    this.toAnnounce = cartToAnnounceModel(connection);
  }

  async find(customerId: string): Promise<Cart> {
    return (await this.model.findById(customerId).lean()) ?? { _id: customerId, items: [], version: 0 };
  }

  /**
   * Replaces the items if the cart is still at the version that was read. Returns the new
   * version, or undefined when another change came first.
   */
  async replaceItems(customerId: string, expectedVersion: number, items: Line[]): Promise<number | undefined> {
    const version = expectedVersion + 1;
    if (expectedVersion === 0) {
      return (await insertOnce(this.model, { _id: customerId, items, version })) ? version : undefined;
    }
    const result = await this.model.updateOne({ _id: customerId, version: expectedVersion }, { $set: { items, version } });
    return result.modifiedCount === 1 ? version : undefined;
  }

  /** Notes, before a change, that the customer's cart may have a change to announce; returns the note's id. */
  async markToAnnounce(customerId: string): Promise<string> {
    const _id = new mongoose.Types.ObjectId().toHexString();
    await insertOnce(this.toAnnounce, { _id, customerId, createdAt: new Date() });
    return _id;
  }

  /** Removes a note once the change it covered is announced (or did not happen). */
  async announced(noteId: string): Promise<void> {
    await this.toAnnounce.deleteOne({ _id: noteId });
  }

  /** Notes older than the given date: changes a crash (or a very slow request) left unannounced. */
  async findDueBefore(notedBefore: Date): Promise<CartToAnnounce[]> {
    return this.toAnnounce.find({ createdAt: mongoose.trusted({ $lt: notedBefore }) }).lean();
  }
}
