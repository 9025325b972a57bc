import { insertOnce } from '@shop/common';
import mongoose, { type Connection, type Model } from 'mongoose';
import {
  orderHistoryModel,
  orderInFlightModel,
  orderModel,
  orderRequestModel,
  type Order,
  type OrderHistory,
  type OrderInFlight,
  type OrderRequest,
} from './models/order';

/**
 * Orders (inserted once), the orders in flight (a small collection), the customers' order
 * histories (one document per customer, read and written by `_id`) and txnNumber requests.
 */
export class OrderRepository {
  private readonly orders: Model<Order>;
  private readonly inFlight: Model<OrderInFlight>;
  private readonly histories: Model<OrderHistory>;
  private readonly requests: Model<OrderRequest>;

  constructor(connection: Connection) {
    this.orders = orderModel(connection);
    this.inFlight = orderInFlightModel(connection);
    this.histories = orderHistoryModel(connection);
    this.requests = orderRequestModel(connection);
  }

  /** Inserts the order; false when an order with this id exists already. */
  async insert(order: Order): Promise<boolean> {
    return insertOnce(this.orders, order);
  }

  async findById(orderId: string): Promise<Order | null> {
    return this.orders.findById(orderId).lean();
  }

  /** Notes the order as in flight, before it is written; false if noted already. */
  async markInFlight(entry: OrderInFlight): Promise<boolean> {
    return insertOnce(this.inFlight, entry);
  }

  async findInFlight(orderId: string): Promise<OrderInFlight | null> {
    return this.inFlight.findById(orderId).lean();
  }

  async findInFlightOf(customerId: string): Promise<OrderInFlight[]> {
    return this.inFlight.find({ customerId }).lean();
  }

  /** Records that order.placed is in the outbox and the cart emptied (the note may be gone already). */
  async markAnnounced(orderId: string): Promise<void> {
    await this.inFlight.updateOne({ _id: orderId }, { $set: { announced: true } });
  }

  /** Removes the note: the order is in the history, or was never written. */
  async landed(orderId: string): Promise<void> {
    await this.inFlight.deleteOne({ _id: orderId });
  }

  /** Notes not announced since before the given date: placements a crash cut off (or very slow ones). */
  async findUnannouncedBefore(notedBefore: Date): Promise<OrderInFlight[]> {
    return this.inFlight.find({ announced: false, createdAt: mongoose.trusted({ $lt: notedBefore }) }).lean();
  }

  async findHistory(customerId: string): Promise<OrderHistory> {
    return (await this.histories.findById(customerId).lean()) ?? { _id: customerId, orders: [], verdicts: [] };
  }

  async saveHistory(history: OrderHistory): Promise<void> {
    await this.histories.replaceOne({ _id: history._id }, history, { upsert: true });
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
