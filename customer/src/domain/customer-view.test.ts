import type { Line, OrderPlaced } from '@shop/common/contracts';
import { applyViewChange, emptyCustomerView, newestFirst, onlyCarts, type ViewChange } from './customer-view';

const line: Line = { product: { _id: 'p1', name: 'Apples', desc: 'crisp', price: 140, banner: '/a.jpg', type: 'fruits' }, unit: 2 };
const placed = (orderId: string, createdAt = '2026-01-01T00:00:00.000Z'): ViewChange => ({
  kind: 'order-placed',
  change: { orderId, customerId: 'c1', items: [line], amount: 280, status: 'received', txnNumber: null, createdAt } satisfies OrderPlaced,
});
const status = (kind: 'stock-reserved' | 'stock-released', orderId: string): ViewChange => ({ kind, change: { orderId, customerId: 'c1' } });
const cart = (version: number, items: Line[]): ViewChange => ({ kind: 'cart-updated', change: { customerId: 'c1', items, version } });

const applied = (changes: ViewChange[]) => {
  const view = emptyCustomerView('c1');
  const changed = changes.map((change) => applyViewChange(view, change));
  return { view, changed };
};

describe('the customer view', () => {
  test('When carts arrive out of order, then the view keeps the newest and an older one changes nothing', () => {
    const { view, changed } = applied([cart(2, [line]), cart(1, [])]);
    expect(view).toMatchObject({ cart: [line], cartVersion: 2 });
    expect(changed).toEqual([true, false]);
  });

  test('When changes are carts alone, then the newest of them is the one to set; any other change among them asks for the whole view', () => {
    expect(onlyCarts([cart(2, [line]), cart(3, []), cart(1, [line])])).toEqual({ customerId: 'c1', items: [], version: 3 });
    expect(onlyCarts([cart(2, [line]), placed('o1')])).toBeUndefined();
    expect(onlyCarts([])).toBeUndefined();
  });

  test('When an order is placed twice, then it is in the view once', () => {
    const { view, changed } = applied([placed('o1'), placed('o1')]);
    expect(view.orders).toHaveLength(1);
    expect(changed).toEqual([true, false]);
  });

  test("When a stock verdict or a rejection reason comes, then the order's status moves by the shared rule", () => {
    const { view } = applied([placed('o1'), status('stock-reserved', 'o1')]);
    expect(view.orders[0]!.status).toBe('confirmed');
    const rejected = applied([placed('o2'), { kind: 'stock-rejected', change: { orderId: 'o2', customerId: 'c1', reason: 'no stock' } }]).view;
    expect(rejected.orders[0]).toMatchObject({ status: 'rejected', reason: 'no stock' });
    const cancelled = applied([placed('o3'), { kind: 'order-cancelled', change: { orderId: 'o3', customerId: 'c1', items: [line] } }, status('stock-released', 'o3')]).view;
    expect(cancelled.orders[0]!.status).toBe('cancelled');
  });

  test('When a status event comes before its order, then it is refused so that it is retried', () => {
    expect(() => applied([status('stock-reserved', 'o9')])).toThrow('not in the view yet');
  });

  test('When orders are read, then the newest comes first', () => {
    const { view } = applied([placed('old', '2026-01-01T00:00:00.000Z'), placed('new', '2026-02-01T00:00:00.000Z')]);
    expect(newestFirst(view.orders).map((order) => order.orderId)).toEqual(['new', 'old']);
  });
});
