import mongoose, { type Connection, type Model } from 'mongoose';
import { insertEachOnce, isDuplicateKeyError, type Line } from '@shop/common';
import { emptyCustomerView, type StatusMove } from '../domain/customer-view';
import { customerOrderModel, customerViewModel, type CustomerOrder, type CustomerView } from './models/customer-view';

/** How views stored before the orders had a collection of their own carry them: embedded, keyed by order id. */
type EmbeddedOrder = Omit<CustomerOrder, 'customerId' | 'txnNumber'> & { orderId?: string; txnNumber?: string | null };

/** The migrations applied to this database, by name: each runs once. */
const MIGRATIONS = 'migrations';
const ORDERS_MOVED_OUT = 'customer-view-orders-in-their-own-collection';

/** The customer view: a document per customer with its cart, and a document per order. Only the event consumers write it. */
export class CustomerViewRepository {
  private readonly views: Model<CustomerView>;
  private readonly orders: Model<CustomerOrder>;

  constructor(connection: Connection) {
    this.views = customerViewModel(connection);
    this.orders = customerOrderModel(connection);
  }

  async find(customerId: string): Promise<CustomerView> {
    const stored = await this.views.findById(customerId).lean();
    return stored ?? emptyCustomerView(customerId);
  }

  /** The customer's orders, newest first (by the index of the same order). */
  async listOrders(customerId: string): Promise<CustomerOrder[]> {
    return this.orders.find({ customerId }).sort({ date: -1, _id: -1 }).lean();
  }

  async findOrder(customerId: string, orderId: string): Promise<CustomerOrder | null> {
    return this.orders.findOne({ _id: orderId, customerId }).lean();
  }

  /** Inserts the orders in one command; for each, whether it was stored (false: it was there already). */
  async insertOrders(orders: CustomerOrder[]): Promise<boolean[]> {
    return insertEachOnce(this.orders, orders);
  }

  /** Moves the customer's order if its status is one the move may leave; false when it is not (or there is no such order). */
  async moveOrderStatus(customerId: string, { orderId, from, to, reason }: StatusMove): Promise<boolean> {
    const { matchedCount } = await this.orders.updateOne(
      { _id: orderId, customerId, status: mongoose.trusted({ $in: from }) },
      { $set: { status: to, ...(reason === undefined ? {} : { reason }) } },
    );
    return matchedCount > 0;
  }

  /**
   * Moves the orders that views of an earlier release keep embedded into `customer_orders`, once
   * per database (a ledger entry records it). A view is cleared only after its orders are stored,
   * so a crash in between moves them again, and the inserts find them there. Returns how many views moved.
   */
  async moveEmbeddedOrders(): Promise<number> {
    const ledger = this.views.db.collection<{ _id: string; at: Date }>(MIGRATIONS);
    if (await ledger.findOne({ _id: ORDERS_MOVED_OUT })) return 0;
    const stored = this.views.db.collection<{ _id: string; orders?: EmbeddedOrder[] }>(this.views.collection.collectionName);
    let moved = 0;
    for await (const view of stored.find({ orders: { $exists: true } }, { projection: { orders: 1 } })) {
      const orders = (view.orders ?? []).map(({ orderId, _id, txnNumber, ...order }): CustomerOrder => ({
        ...order,
        _id: orderId ?? _id,
        customerId: view._id,
        txnNumber: txnNumber ?? null,
      }));
      await this.insertOrders(orders);
      await stored.updateOne({ _id: view._id }, { $unset: { orders: '', version: '' } });
      moved++;
    }
    await ledger.updateOne({ _id: ORDERS_MOVED_OUT }, { $setOnInsert: { at: new Date() } }, { upsert: true });
    return moved;
  }

  /**
   * Sets the view's cart in place if `cartVersion` is newer than its own, creating the view when
   * there is none; a view with that cart version or a newer one is left as it is.
   */
  async setCartIfNewer(customerId: string, cart: Line[], cartVersion: number): Promise<void> {
    const newerThanStored = { _id: customerId, cartVersion: mongoose.trusted({ $lt: cartVersion }) };
    const setCart = { $set: { cart, cartVersion } };
    try {
      await this.views.updateOne(newerThanStored, setCart, { upsert: true });
    } catch (error) {
      // The filter missed a stored view: it has this cart or a newer one, or another writer has
      // just created it; as a plain update, the guard decides which.
      if (!isDuplicateKeyError(error)) throw error;
      await this.views.updateOne(newerThanStored, setCart);
    }
  }
}
