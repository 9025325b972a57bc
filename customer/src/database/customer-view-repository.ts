import type { Connection, Model } from 'mongoose';
import { isDuplicateKeyError } from '@shop/common';
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
}
