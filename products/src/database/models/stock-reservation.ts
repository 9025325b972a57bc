import { Schema, type Connection, type Model } from 'mongoose';

/**
 * One order's claim on stock, keyed by order id: the decision on the order, inserted before any
 * stock is taken, so a redelivery meets the first decision as a duplicate key (an insert is the
 * one write FerretDB checks against the `_id` index; a look-up of a missing id reads every row).
 */
export interface StockReservation {
  _id: string;
  lines: Array<{ productId: string; unit: number }>;
  status: 'reserved' | 'rejected';
  reason?: string;
  createdAt: Date;
  /** Written before the stock was taken, so only an `AppliedReservation` says it was; older records were written after. */
  claimedFirst?: boolean;
}

/** Inserted once the decision of the reservation with this order id has been applied to the stock. */
export interface AppliedReservation {
  _id: string;
  appliedAt: Date;
}

const stockReservationSchema = new Schema<StockReservation>(
  {
    _id: { type: String, required: true },
    lines: [{ _id: false, productId: String, unit: Number }],
    status: { type: String, required: true },
    reason: String,
    createdAt: { type: Date, required: true },
    claimedFirst: Boolean,
  },
  { versionKey: false, collection: 'stock_reservations' },
);

const appliedReservationSchema = new Schema<AppliedReservation>(
  { _id: { type: String, required: true }, appliedAt: { type: Date, required: true } },
  { versionKey: false, collection: 'stock_reservations_applied' },
);

export function stockReservationModel(connection: Connection): Model<StockReservation> {
  return connection.models.StockReservation ?? connection.model<StockReservation>('StockReservation', stockReservationSchema);
}

export function appliedReservationModel(connection: Connection): Model<AppliedReservation> {
  return connection.models.AppliedReservation ?? connection.model<AppliedReservation>('AppliedReservation', appliedReservationSchema);
}
