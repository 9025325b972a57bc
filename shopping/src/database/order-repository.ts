import { insertOnce, type OrderStatus } from '@shop/common';
import mongoose, { type Connection, type Model } from 'mongoose';
import { statusesCoveredByAnnouncementAt } from '../domain/order';
import { orderModel, orderRequestModel, type Order, type OrderRequest } from './models/order';

/** Orders and the txnNumbers that made them. Every status move is one guarded update. */
export class OrderRepository {
  private readonly orders: Model<Order>;
  private readonly requests: Model<OrderRequest>;

  constructor(connection: Connection) {
    this.orders = orderModel(connection);
    this.requests = orderRequestModel(connection);
  }

  /** Inserts the order; false when an order with this id exists already. */
  async insert(order: Order): Promise<boolean> {
    return insertOnce(this.orders, order);
  }

  async findById(orderId: string): Promise<Order | null> {
    return this.orders.findById(orderId).lean();
  }

  /** The order if it is this customer's; another customer's order is as unknown as a missing one. */
  async findOfCustomer(customerId: string, orderId: string): Promise<Order | null> {
    return this.orders.findOne({ _id: orderId, customerId }).lean();
  }

  /** The customer's orders, newest first. */
  async listOfCustomer(customerId: string): Promise<Order[]> {
    return this.orders.find({ customerId }).sort({ createdAt: -1, _id: -1 }).lean();
  }

  /**
   * Moves the order to `to` if its status is one of `from`; returns the order after the move, or
   * null when it was not in such a status (another move came first, or it never will).
   * `announce` marks the move's events as still to be sent.
   */
  async moveStatus(
    orderId: string,
    from: readonly OrderStatus[],
    to: OrderStatus,
    { reason, announce = false }: { reason?: string; announce?: boolean } = {},
  ): Promise<Order | null> {
    return this.orders
      .findOneAndUpdate(
        { _id: orderId, status: mongoose.trusted({ $in: from }) },
        { $set: { status: to, updatedAt: new Date(), ...(reason ? { reason } : {}), ...(announce ? { announced: false } : {}) } },
        { returnDocument: 'after' },
      )
      .lean();
  }

  /**
   * Records that the events of the order in this status are sent, unless it has since moved to a
   * status that owes events of its own (a cancel's duty stays). Not deferred like the marks of
   * carts and products: a cancel reads it to know whether order.placed must go again.
   */
  async markAnnounced({ _id, status }: Pick<Order, '_id' | 'status'>): Promise<void> {
    await this.orders.updateOne({ _id, status: mongoose.trusted({ $in: statusesCoveredByAnnouncementAt(status) }) }, { $set: { announced: true } });
  }

  /** Orders whose events were not sent by the given date: changes a crash cut off (or very slow ones). */
  async findUnannouncedBefore(changedBefore: Date): Promise<Order[]> {
    return this.orders.find({ announced: false, updatedAt: mongoose.trusted({ $lt: changedBefore }) }).lean();
  }

  async findRequest(customerId: string, txnNumber: string): Promise<OrderRequest | null> {
    return this.requests.findById(requestKey(customerId, txnNumber)).lean();
  }

  /** Ties the txnNumber to the order unless it is tied already: false then. */
  async claimRequest(customerId: string, txnNumber: string, orderId: string): Promise<boolean> {
    return insertOnce(this.requests, { _id: requestKey(customerId, txnNumber), orderId });
  }

  /** Ties the txnNumber to another order (its first order was never written). */
  async reclaimRequest(customerId: string, txnNumber: string, orderId: string): Promise<void> {
    await this.requests.replaceOne({ _id: requestKey(customerId, txnNumber) }, { orderId });
  }
}

const requestKey = (customerId: string, txnNumber: string): string => `${customerId}:${txnNumber}`;
