import mongoose, { type Connection, type Model } from 'mongoose';
import { isDuplicateKeyError, type Line } from '@shop/common';
import { emptyCustomerView } from '../domain/customer-view';
import { customerViewModel, type CustomerView } from './models/customer-view';

export class CustomerViewRepository {
  private readonly model: Model<CustomerView>;

  constructor(connection: Connection) {
    this.model = customerViewModel(connection);
  }

  async find(customerId: string): Promise<CustomerView> {
    const stored = await this.model.findById(customerId).lean();
    return stored ?? emptyCustomerView(customerId);
  }

  /**
   * Stores the view as the next version of the one it was read as; false, writing nothing, when
   * the stored view has changed since (or was created meanwhile).
   */
  async saveIfUnchanged(view: CustomerView): Promise<boolean> {
    try {
      const { matchedCount, upsertedCount } = await this.model.replaceOne({ _id: view._id, version: view.version }, { ...view, version: view.version + 1 }, { upsert: true });
      return matchedCount + upsertedCount > 0;
    } catch (error) {
      // The filter missed the stored view, so the upsert met its id: it has changed meanwhile.
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }

  /**
   * Sets the view's cart in place if `cartVersion` is newer than its own, creating the view with
   * its empty defaults when there is none; a view with that cart version or a newer one is left
   * as it is. It counts as a write of the view (`version`), so a concurrent read-and-replace of it
   * is refused and redone.
   */
  async setCartIfNewer(customerId: string, cart: Line[], cartVersion: number): Promise<void> {
    const newerThanStored = { _id: customerId, cartVersion: mongoose.trusted({ $lt: cartVersion }) };
    const { orders } = emptyCustomerView(customerId);
    const setCart = { $set: { cart, cartVersion }, $inc: { version: 1 }, $setOnInsert: { orders } };
    try {
      await this.model.updateOne(newerThanStored, setCart, { upsert: true });
    } catch (error) {
      // The filter missed a stored view: it has this cart or a newer one, or another writer has
      // just created it; as a plain update, the guard decides which.
      if (!isDuplicateKeyError(error)) throw error;
      await this.model.updateOne(newerThanStored, setCart);
    }
  }
}
