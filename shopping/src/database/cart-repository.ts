import { isDuplicateKeyError, type Line } from '@shop/common';
import type { Connection, Model } from 'mongoose';
import { cartModel, type Cart } from './models/cart';

export class CartRepository {
  private readonly model: Model<Cart>;

  constructor(connection: Connection) {
    this.model = cartModel(connection);
  }

  async find(customerId: string): Promise<Cart> {
    return (await this.model.findById(customerId).lean()) ?? { _id: customerId, items: [], version: 0, announced: true };
  }

  /**
   * Replaces the items if the cart is still at the version that was read. Returns the new
   * version, or undefined when another change came first. The new version is to be announced
   * (`announced: false`) unless the caller keeps that duty elsewhere (an order's note).
   */
  async replaceItems(customerId: string, expectedVersion: number, items: Line[], { announced = false } = {}): Promise<number | undefined> {
    const version = expectedVersion + 1;
    if (expectedVersion === 0) {
      try {
        await this.model.create({ _id: customerId, items, version, announced });
        return version;
      } catch (error) {
        if (isDuplicateKeyError(error)) return undefined;
        throw error;
      }
    }
    const result = await this.model.updateOne({ _id: customerId, version: expectedVersion }, { $set: { items, version, announced } });
    return result.modifiedCount === 1 ? version : undefined;
  }

  /** Records that this version's event is in the outbox, unless a newer change came meanwhile. */
  async markAnnounced(customerId: string, version: number): Promise<void> {
    await this.model.updateOne({ _id: customerId, version }, { $set: { announced: true } });
  }

  async findUnannounced(): Promise<Cart[]> {
    return this.model.find({ announced: false }).lean();
  }
}
