import type { Line } from '@shop/common/contracts';

/** The units of one product an order takes. */
export interface StockLine {
  productId: string;
  unit: number;
}

/**
 * An order's reservation: `pending` while its lines are being taken, then its verdict, or
 * `released` once the order is cancelled (before or after it was placed).
 */
export type ReservationStatus = 'pending' | 'reserved' | 'rejected' | 'released';
export type Verdict = 'reserved' | 'rejected';
export type SettledStatus = Exclude<ReservationStatus, 'pending'>;

/** What a product's stock looks like to a reservation. */
export interface StockState {
  available: boolean;
  stock: number;
  reservedFor: readonly string[];
}

/** Sums the units per product: an order may name a product on more than one line. */
export function demandOf(items: readonly Line[]): StockLine[] {
  const units = new Map<string, number>();
  for (const line of items) units.set(line.product._id, (units.get(line.product._id) ?? 0) + line.unit);
  return [...units].map(([productId, unit]) => ({ productId, unit }));
}

/**
 * Why a line that the guarded take left alone cannot be taken; undefined when the product already
 * carries the order's mark (an earlier delivery took it and stopped before the verdict).
 */
export function refusal(orderId: string, line: StockLine, product: StockState | null): string | undefined {
  if (!product) return `product ${line.productId} does not exist`;
  if (product.reservedFor.includes(orderId)) return undefined;
  if (!product.available) return `product ${line.productId} is not available`;
  return `not enough stock of product ${line.productId}: ${product.stock} left, ${line.unit} ordered`;
}

export type CancelledStep = 'return-all-lines' | 'mark-released' | 'repeat-release';

/** What an order.cancelled does to the reservation stored for its order (with none, it records one as released). */
export function stepOnCancelled(status: ReservationStatus): CancelledStep {
  switch (status) {
    case 'reserved':
      // Every line was taken; the marks that said so may already be cleared.
      return 'return-all-lines';
    case 'pending':
    case 'rejected':
      // Only the lines still marked for the order hold its stock; settling gives them back.
      return 'mark-released';
    case 'released':
      return 'repeat-release';
  }
}

/**
 * What a reservation's final status means for a line still marked for its order: a reserved
 * order keeps the stock (the mark goes), any other order gives it back.
 */
export function keepsMarkedStock(status: SettledStatus): boolean {
  return status === 'reserved';
}
