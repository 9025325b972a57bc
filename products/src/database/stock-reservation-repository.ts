import type { Connection, Model } from 'mongoose';
import { stockReservationModel, type StockReservation } from './models/stock-reservation';

export class StockReservationRepository {
  private readonly model: Model<StockReservation>;

  constructor(connection: Connection) {
    this.model = stockReservationModel(connection);
  }

  async findByOrderId(orderId: string): Promise<StockReservation | null> {
    return this.model.findById(orderId).lean();
  }

  async record(reservation: StockReservation): Promise<void> {
    await this.model.create(reservation);
  }
}
