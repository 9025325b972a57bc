import { insertOnce } from '@shop/common';
import type { Connection, Model } from 'mongoose';
import { appliedReservationModel, stockReservationModel, type AppliedReservation, type StockReservation } from './models/stock-reservation';

export class StockReservationRepository {
  private readonly model: Model<StockReservation>;
  private readonly applied: Model<AppliedReservation>;

  constructor(connection: Connection) {
    this.model = stockReservationModel(connection);
    this.applied = appliedReservationModel(connection);
  }

  async findByOrderId(orderId: string): Promise<StockReservation | null> {
    return this.model.findById(orderId).lean();
  }

  /** Stores the decision unless the order has one already: false then (that one stands). */
  async claim(reservation: StockReservation): Promise<boolean> {
    return insertOnce(this.model, reservation);
  }

  /** Changes a decision not yet applied (a redelivery found the stock gone meanwhile). */
  async replace(reservation: StockReservation): Promise<void> {
    await this.model.replaceOne({ _id: reservation._id }, reservation);
  }

  async markApplied(orderId: string): Promise<void> {
    await insertOnce(this.applied, { _id: orderId, appliedAt: new Date() });
  }

  async isApplied(orderId: string): Promise<boolean> {
    return (await this.applied.exists({ _id: orderId })) !== null;
  }
}
