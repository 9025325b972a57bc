import { Schema, type Connection, type Model } from 'mongoose';

/** One order's claim on stock; keyed by order id, so an order is reserved at most once. */
export interface StockReservation {
  _id: string;
  lines: Array<{ productId: string; unit: number }>;
  status: 'reserved' | 'rejected';
  reason?: string;
  createdAt: Date;
}

const stockReservationSchema = new Schema<StockReservation>(
  {
    _id: { type: String, required: true },
    lines: [{ _id: false, productId: String, unit: Number }],
    status: { type: String, required: true },
    reason: String,
    createdAt: { type: Date, required: true },
  },
  { versionKey: false, collection: 'stock_reservations' },
);

export function stockReservationModel(connection: Connection): Model<StockReservation> {
  return connection.models.StockReservation ?? connection.model<StockReservation>('StockReservation', stockReservationSchema);
}
