import { isDuplicateKeyError } from '@shop/common';
import mongoose, { type Connection, type Model } from 'mongoose';
import {
  orderModel,
  orderRequestModel,
  orderToAnnounceModel,
  orderVerdictModel,
  type Order,
  type OrderRequest,
  type OrderToAnnounce,
  type OrderVerdict,
} from './models/order';

/** Inserts the document; false when one with its `_id` exists already (the atomic race on both databases). */
async function insertOnce<T>(model: Model<T>, document: T): Promise<boolean> {
  try {
    await model.create(document);
    return true;
  } catch (error) {
    if (isDuplicateKeyError(error)) return false;
    throw error;
  }
}

/**
 * Orders and what happens to them, all written as inserts, plus the small collection of orders
 * still to announce (the only one written otherwise, by deletes; it holds only orders in flight).
 */
export class OrderRepository {
  private readonly orders: Model<Order>;
  private readonly verdicts: Model<OrderVerdict>;
  private readonly toAnnounce: Model<OrderToAnnounce>;
  private readonly requests: Model<OrderRequest>;

  constructor(connection: Connection) {
    this.orders = orderModel(connection);
    this.verdicts = orderVerdictModel(connection);
    this.toAnnounce = orderToAnnounceModel(connection);
    this.requests = orderRequestModel(connection);
  }

  /** Inserts the order; false when an order with this id exists already. */
  async insert(order: Order): Promise<boolean> {
    return insertOnce(this.orders, order);
  }

  async findById(orderId: string): Promise<Order | null> {
    return this.orders.findById(orderId).lean();
  }

  /** The customer's orders, newest first: a scan on FerretDB (an index on MongoDB), one per listing. */
  async findByCustomer(customerId: string): Promise<Order[]> {
    return this.orders.find({ customerId }).sort({ createdAt: -1, _id: -1 }).lean();
  }

  /** Records the verdict on an order's stock; false when the order has one already (it stays). */
  async recordVerdict(verdict: OrderVerdict): Promise<boolean> {
    return insertOnce(this.verdicts, verdict);
  }

  async findVerdict(orderId: string): Promise<OrderVerdict | null> {
    return this.verdicts.findById(orderId).lean();
  }

  /** The verdicts on these orders, in one query (one scan of the small verdict documents on FerretDB). */
  async findVerdicts(orderIds: string[]): Promise<OrderVerdict[]> {
    if (orderIds.length === 0) return [];
    return this.verdicts.find({ _id: mongoose.trusted({ $in: orderIds }) }).lean();
  }

  /** Notes, before the order is written, that its announcement is due; false if noted already. */
  async markToAnnounce(entry: OrderToAnnounce): Promise<boolean> {
    return insertOnce(this.toAnnounce, entry);
  }

  async findToAnnounce(orderId: string): Promise<OrderToAnnounce | null> {
    return this.toAnnounce.findById(orderId).lean();
  }

  async announced(orderId: string): Promise<void> {
    await this.toAnnounce.deleteOne({ _id: orderId });
  }

  /** Orders noted as due before the given date (their placement crashed, or is very slow). */
  async findDueBefore(notedBefore: Date): Promise<OrderToAnnounce[]> {
    return this.toAnnounce.find({ createdAt: mongoose.trusted({ $lt: notedBefore }) }).lean();
  }

  async findRequest(customerId: string, txnNumber: string): Promise<OrderRequest | null> {
    return this.requests.findById(requestKey(customerId, txnNumber)).lean();
  }

  async recordRequest(customerId: string, txnNumber: string, orderId: string): Promise<void> {
    await insertOnce(this.requests, { _id: requestKey(customerId, txnNumber), orderId });
  }
}

const requestKey = (customerId: string, txnNumber: string): string => `${customerId}:${txnNumber}`;
