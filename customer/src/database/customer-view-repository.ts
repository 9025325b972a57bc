import mongoose, { type Connection, type Model } from 'mongoose';
import { isDuplicateKeyError } from '@shop/common';
import { customerViewModel, type CustomerView } from './models/customer-view';

export class CustomerViewRepository {
  private readonly model: Model<CustomerView>;

  constructor(connection: Connection) {
    this.model = customerViewModel(connection);
  }

  async find(customerId: string): Promise<CustomerView> {
    const stored = await this.model.findById(customerId).lean();
    return stored ? { ...stored, version: stored.version ?? 0 } : { _id: customerId, cart: [], cartVersion: 0, orders: [], version: 0 };
  }

  /**
   * Stores the view as the next version of the one it was read as; false, writing nothing, when
   * the stored view has changed since (or was created meanwhile). A view stored without a version
   * counts as version 0.
   */
  async saveIfUnchanged(view: CustomerView): Promise<boolean> {
    const readAs = view.version === 0 ? mongoose.trusted({ $exists: false }) : view.version;
    try {
      const { matchedCount, upsertedCount } = await this.model.replaceOne({ _id: view._id, version: readAs }, { ...view, version: view.version + 1 }, { upsert: true });
      return matchedCount + upsertedCount > 0;
    } catch (error) {
      // The filter missed the stored view, so the upsert met its id: it has changed meanwhile.
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }
}
