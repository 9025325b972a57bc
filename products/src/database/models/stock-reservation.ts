import { Schema, type Connection, type Model } from 'mongoose';
import type { ReservationStatus, StockLine } from '../../domain/stock';

/**
 * One order's claim on stock, keyed by the order id and inserted once: a duplicate key tells a
 * redelivery (or a cancel that came first) from a new order. Its status is the decision; the
 * marks on the products only say which lines an undecided reservation has taken.
 */
export interface StockReservation {
  _id: string;
  customerId: string;
  lines: StockLine[];
  status: ReservationStatus;
  reason?: string;
  createdAt: Date;
}

const stockReservationSchema = new Schema<StockReservation>(
  {
    _id: { type: String, required: true },
    customerId: { type: String, required: true },
    lines: [{ _id: false, productId: String, unit: Number }],
    status: { type: String, required: true, enum: ['pending', 'reserved', 'rejected', 'released'] },
    reason: String,
    createdAt: { type: Date, required: true },
  },
  { versionKey: false, collection: 'stock_reservations' },
);

export function stockReservationModel(connection: Connection): Model<StockReservation> {
  return connection.models.StockReservation ?? connection.model<StockReservation>('StockReservation', stockReservationSchema);
}
