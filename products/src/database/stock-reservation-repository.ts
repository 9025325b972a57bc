import { insertOnce } from '@shop/common';
import type { Connection, Model } from 'mongoose';
import type { ReservationStatus } from '../domain/stock';
import { stockReservationModel, type StockReservation } from './models/stock-reservation';

/** The only code that reads or writes stock reservations in MongoDB. */
export class StockReservationRepository {
  private readonly model: Model<StockReservation>;

  constructor(connection: Connection) {
    this.model = stockReservationModel(connection);
  }

  async findByOrderId(orderId: string): Promise<StockReservation | null> {
    return this.model.findById(orderId).lean();
  }

  /** Stores the reservation unless its order has one: false then. */
  async insert(reservation: StockReservation): Promise<boolean> {
    return insertOnce(this.model, reservation);
  }

  /** Stores the reservation, or returns the one its order has already. */
  async open(reservation: StockReservation): Promise<StockReservation> {
    if (await this.insert(reservation)) return reservation;
    const stored = await this.findByOrderId(reservation._id);
    if (!stored) throw new Error(`the reservation of order ${reservation._id} vanished`);
    return stored;
  }

  /** Moves the reservation from one status to the next; false when it was not in `from`. */
  async move(orderId: string, from: ReservationStatus, to: ReservationStatus, reason?: string): Promise<boolean> {
    const changes = reason === undefined ? { status: to } : { status: to, reason };
    const { matchedCount } = await this.model.updateOne({ _id: orderId, status: from }, { $set: changes });
    return matchedCount > 0;
  }
}
