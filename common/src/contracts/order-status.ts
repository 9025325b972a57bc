import { ShoppingEvents, StockEvents, type OrderStatus } from './shopping-events';

/** The saga's events that move an order's status, as they reach shopping and the customer view. */
export type OrderStatusEvent = typeof StockEvents.stockReserved | typeof StockEvents.stockRejected | typeof ShoppingEvents.orderCancelled | typeof StockEvents.stockReleased;

/**
 * The statuses an event moves an order from, and the one it moves it to. Stock verdicts count
 * only while the order is `received` (the first stands; a cancel overtakes them). Shopping sends
 * order.cancelled only for an order it held as received or confirmed, and released stock always
 * ends the cancel, so a reader that saw a verdict shopping had not yet applied still ends where
 * shopping does.
 */
export const ORDER_STATUS_MOVES: Record<OrderStatusEvent, { from: readonly OrderStatus[]; to: OrderStatus }> = {
  [StockEvents.stockReserved]: { from: ['received'], to: 'confirmed' },
  [StockEvents.stockRejected]: { from: ['received'], to: 'rejected' },
  [ShoppingEvents.orderCancelled]: { from: ['received', 'confirmed', 'rejected'], to: 'cancelling' },
  [StockEvents.stockReleased]: { from: ['received', 'confirmed', 'rejected', 'cancelling'], to: 'cancelled' },
};

/** Statuses from which the shopper may cancel: the stock is not shipped and not refused. */
export const CANCELLABLE_STATUSES: readonly OrderStatus[] = ['received', 'confirmed'];
