import { isDuplicateKeyError, type OrderStatus } from '@shop/common';
import mongoose, { type Connection, type Model } from 'mongoose';
import { orderModel, orderRequestModel, type Order, type OrderRequest } from './models/order';

export class OrderRepository {
  private readonly orders: Model<Order>;
  private readonly requests: Model<OrderRequest>;

  constructor(connection: Connection) {
    this.orders = orderModel(connection);
    this.requests = orderRequestModel(connection);
  }

  /** Inserts the order; false when an order with this id exists already. */
  async insert(order: Order): Promise<boolean> {
    try {
      await this.orders.create(order);
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }

  async findById(orderId: string): Promise<Order | null> {
    return this.orders.findById(orderId).lean();
  }

  async findByCustomer(customerId: string): Promise<Order[]> {
    return this.orders.find({ customerId }).sort({ createdAt: -1, _id: -1 }).lean();
  }

  async setStatus(orderId: string, from: OrderStatus, to: OrderStatus, reason?: string): Promise<void> {
    await this.orders.updateOne({ _id: orderId, status: from }, { $set: { status: to, ...(reason ? { reason } : {}) } });
  }

  async markAnnounced(orderId: string): Promise<void> {
    await this.orders.updateOne({ _id: orderId }, { $set: { announced: true } });
  }

  /** Orders whose order.placed never reached the outbox (a crash in between), older than the given date. */
  async findUnannounced(placedBefore: Date): Promise<Order[]> {
    return this.orders.find({ announced: false, createdAt: mongoose.trusted({ $lt: placedBefore }) }).lean();
  }

  async findRequest(customerId: string, txnNumber: string): Promise<OrderRequest | null> {
    return this.requests.findById(requestKey(customerId, txnNumber)).lean();
  }

  async recordRequest(customerId: string, txnNumber: string, orderId: string): Promise<void> {
    try {
      await this.requests.create({ _id: requestKey(customerId, txnNumber), orderId });
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
  }
}

const requestKey = (customerId: string, txnNumber: string): string => `${customerId}:${txnNumber}`;
