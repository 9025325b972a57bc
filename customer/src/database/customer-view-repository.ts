import type { Connection, Model } from 'mongoose';
import { customerViewModel, type CustomerView } from './models/customer-view';

export class CustomerViewRepository {
  private readonly model: Model<CustomerView>;

  constructor(connection: Connection) {
    this.model = customerViewModel(connection);
  }

  async find(customerId: string): Promise<CustomerView> {
    return (await this.model.findById(customerId).lean()) ?? { _id: customerId, cart: [], cartVersion: 0, orders: [] };
  }

  async save(view: CustomerView): Promise<void> {
    await this.model.replaceOne({ _id: view._id }, view, { upsert: true });
  }
}
