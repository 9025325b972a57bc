import { ORDER_STATUS_MOVES, type OrderStatusEvent } from './order-status';
import { ShoppingEvents, StockEvents, type OrderStatus } from './shopping-events';

/** The status after the event, or undefined when the event does not move an order in this status. */
function nextOrderStatus(current: OrderStatus, event: OrderStatusEvent): OrderStatus | undefined {
  const { from, to } = ORDER_STATUS_MOVES[event];
  return from.includes(current) ? to : undefined;
}

const apply = (events: OrderStatusEvent[], from: OrderStatus = 'received'): OrderStatus =>
  events.reduce<OrderStatus>((status, event) => nextOrderStatus(status, event) ?? status, from);

describe('order status moves', () => {
  test('When the stock is reserved or refused, then a received order is confirmed or rejected, and the first verdict stands', () => {
    expect(apply([StockEvents.stockReserved])).toBe('confirmed');
    expect(apply([StockEvents.stockRejected])).toBe('rejected');
    expect(apply([StockEvents.stockReserved, StockEvents.stockRejected])).toBe('confirmed');
    expect(apply([StockEvents.stockRejected, StockEvents.stockReserved])).toBe('rejected');
  });

  test('When an order is cancelled, then it is cancelling until its stock is released, whatever verdict comes in between', () => {
    expect(apply([ShoppingEvents.orderCancelled])).toBe('cancelling');
    expect(apply([ShoppingEvents.orderCancelled, StockEvents.stockReserved])).toBe('cancelling');
    expect(apply([StockEvents.stockReserved, ShoppingEvents.orderCancelled, StockEvents.stockReleased])).toBe('cancelled');
    expect(apply([ShoppingEvents.orderCancelled, StockEvents.stockRejected, StockEvents.stockReleased])).toBe('cancelled');
  });

  test('When events arrive twice or out of order, then the order ends where shopping ends it', () => {
    expect(apply([StockEvents.stockReleased, ShoppingEvents.orderCancelled])).toBe('cancelled');
    expect(apply([StockEvents.stockRejected, ShoppingEvents.orderCancelled, StockEvents.stockReleased])).toBe('cancelled');
    expect(apply([ShoppingEvents.orderCancelled, StockEvents.stockReleased, StockEvents.stockReleased, StockEvents.stockReserved])).toBe('cancelled');
    expect(nextOrderStatus('cancelled', ShoppingEvents.orderCancelled)).toBeUndefined();
    expect(nextOrderStatus('confirmed', StockEvents.stockReserved)).toBeUndefined();
  });
});
