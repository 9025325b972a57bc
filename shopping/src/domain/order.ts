import { CANCELLABLE_STATUSES, ORDER_STATUS_MOVES, ShoppingEvents, StockEvents, type Line, type OrderStatus } from '@shop/common/contracts';

/** An order as the API shows it and order.placed carries it. */
export interface OrderView {
  orderId: string;
  customerId: string;
  amount: number;
  status: OrderStatus;
  items: Line[];
  txnNumber: string | null;
  reason?: string;
  createdAt: string;
}

/** What an order holds, however it is stored. */
export interface OrderFacts {
  _id: string;
  customerId: string;
  items: Line[];
  amount: number;
  status: OrderStatus;
  txnNumber: string | null;
  reason?: string;
  createdAt: Date;
}

export function toOrderView(order: OrderFacts): OrderView {
  return {
    orderId: order._id,
    customerId: order.customerId,
    amount: order.amount,
    status: order.status,
    items: order.items,
    txnNumber: order.txnNumber,
    ...(order.reason ? { reason: order.reason } : {}),
    createdAt: new Date(order.createdAt).toISOString(),
  };
}

/**
 * An order is named by its customer and the cart version it was made from: a retried or
 * concurrent placement from the same cart names the same order.
 */
export const orderIdFor = (customerId: string, cartVersion: number): string => `${customerId}-${cartVersion}`;

export type CancelStep = 'answer-as-is' | 'refuse' | 'move-to-cancelling';

/** What a shopper's cancel does to an order in this status: cancelling again changes nothing; a rejected order stays rejected. */
export function cancelStep(status: OrderStatus): CancelStep {
  if (status === 'cancelling' || status === 'cancelled') return 'answer-as-is';
  return CANCELLABLE_STATUSES.includes(status) ? 'move-to-cancelling' : 'refuse';
}

/**
 * The statuses in which what was announced for an order at `status` is still all it owes: the
 * stock verdicts announce nothing, a cancel announces order.cancelled. So the announcement of the
 * placement holds until a cancel, and the cancel's for good.
 */
export function statusesCoveredByAnnouncementAt(status: OrderStatus): readonly OrderStatus[] {
  const cancel = ORDER_STATUS_MOVES[ShoppingEvents.orderCancelled];
  return cancel.from.includes(status) ? cancel.from : [cancel.to, ORDER_STATUS_MOVES[StockEvents.stockReleased].to];
}
