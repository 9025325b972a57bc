import type { Line, OrderPlaced } from '@shop/common/contracts';
import { movedOrder, orderSummary, viewWrites, type CustomerOrder, type ViewChange } from './customer-view';

const line: Line = { product: { _id: 'p1', name: 'Apples', desc: 'crisp', price: 140, banner: '/a.jpg', type: 'fruits' }, unit: 2 };
const placed = (orderId: string, createdAt = '2026-01-01T00:00:00.000Z'): ViewChange => ({
  kind: 'order-placed',
  change: { orderId, customerId: 'c1', items: [line], amount: 280, status: 'received', txnNumber: null, createdAt } satisfies OrderPlaced,
});
const status = (kind: 'stock-reserved' | 'order-cancelled' | 'stock-released', orderId: string): ViewChange =>
  kind === 'order-cancelled' ? { kind, change: { orderId, customerId: 'c1', items: [line] } } : { kind, change: { orderId, customerId: 'c1' } };
const rejected = (orderId: string, reason: string): ViewChange => ({ kind: 'stock-rejected', change: { orderId, customerId: 'c1', reason } });
const cart = (version: number, items: Line[]): ViewChange => ({ kind: 'cart-updated', change: { customerId: 'c1', items, version } });
const stored = (orderId: string, orderStatus: CustomerOrder['status']): CustomerOrder => ({
  _id: orderId,
  customerId: 'c1',
  amount: 280,
  status: orderStatus,
  items: [line],
  txnNumber: null,
  date: new Date('2026-01-01T00:00:00.000Z'),
});

describe('the writes of a batch of view changes', () => {
  test('When carts arrive out of order, then only the newest is written', () => {
    expect(viewWrites([cart(2, [line]), cart(3, []), cart(1, [line])])).toEqual({ cart: { customerId: 'c1', items: [], version: 3 }, newOrders: [], moves: [] });
  });

  test('When no cart changes, then no cart is written', () => {
    expect(viewWrites([status('stock-reserved', 'o1')]).cart).toBeUndefined();
  });

  test('When an order is placed, then it is inserted as the view shows it, keyed by its id', () => {
    expect(viewWrites([placed('o1')]).newOrders).toEqual([{ order: stored('o1', 'received'), moves: [] }]);
  });

  test('When an order is placed twice in a batch, then it is inserted once', () => {
    expect(viewWrites([placed('o1'), placed('o1')]).newOrders).toHaveLength(1);
  });

  test('When an order and its verdict come in one batch, then the order is inserted with the verdict applied, and no update is needed', () => {
    const { newOrders, moves } = viewWrites([placed('o1'), cart(2, []), status('stock-reserved', 'o1'), placed('o2'), rejected('o2', 'no stock')]);
    expect(newOrders.map(({ order }) => order)).toEqual([stored('o1', 'confirmed'), { ...stored('o2', 'rejected'), reason: 'no stock' }]);
    expect(moves).toEqual([]);
    // Kept for an order stored before, which then takes them as updates.
    expect(newOrders[0]!.moves).toEqual([{ orderId: 'o1', from: ['received'], to: 'confirmed' }]);
  });

  test('When a verdict comes before its order in one batch, then the order is still inserted with it: moves commute with the placing', () => {
    expect(viewWrites([status('stock-reserved', 'o1'), placed('o1')]).newOrders[0]!.order.status).toBe('confirmed');
  });

  test("When status events name orders of earlier batches, then each is a guarded move, each order's in the order they came", () => {
    const { newOrders, moves } = viewWrites([status('order-cancelled', 'o1'), rejected('o2', 'no stock'), status('stock-released', 'o1')]);
    expect(newOrders).toEqual([]);
    expect(moves).toEqual([
      { orderId: 'o1', from: ['received', 'confirmed', 'rejected'], to: 'cancelling' },
      { orderId: 'o1', from: ['received', 'confirmed', 'rejected', 'cancelling'], to: 'cancelled' },
      { orderId: 'o2', from: ['received'], to: 'rejected', reason: 'no stock' },
    ]);
  });
});

describe('a status move of a stored order', () => {
  test("When the move may leave the order's status, then it moves, with the reason", () => {
    expect(movedOrder(stored('o1', 'received'), { orderId: 'o1', from: ['received'], to: 'rejected', reason: 'no stock' })).toMatchObject({
      status: 'rejected',
      reason: 'no stock',
    });
  });

  test('When the move may not leave it (a late verdict after a cancel, an event twice), then the order stays as it is', () => {
    const cancelling = stored('o1', 'cancelling');
    expect(movedOrder(cancelling, { orderId: 'o1', from: ['received'], to: 'confirmed' })).toBe(cancelling);
    const cancelled = stored('o1', 'cancelled');
    expect(movedOrder(cancelled, { orderId: 'o1', from: ['received', 'confirmed', 'rejected', 'cancelling'], to: 'cancelled' })).toBe(cancelled);
  });
});

describe('an order as the profile shows it', () => {
  test('When a stored order is shown, then it carries its id as _id and orderId, and not the customer', () => {
    expect(orderSummary({ ...stored('o1', 'rejected'), reason: 'no stock' })).toEqual({
      _id: 'o1',
      orderId: 'o1',
      amount: 280,
      status: 'rejected',
      items: [line],
      txnNumber: null,
      date: new Date('2026-01-01T00:00:00.000Z'),
      reason: 'no stock',
    });
    expect(orderSummary(stored('o2', 'confirmed'))).not.toHaveProperty('reason');
  });
});
