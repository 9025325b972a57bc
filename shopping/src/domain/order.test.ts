import type { Line } from '@shop/common/contracts';
import { cancelStep, orderIdFor, statusesCoveredByAnnouncementAt, toOrderView } from './order';

const items: Line[] = [{ product: { _id: 'p1', name: 'Apples', desc: '', type: 'fruits', banner: '', price: 1.5 }, unit: 2 }];

describe('order rules', () => {
  test('When an order is shown, then it is named orderId, dated in ISO and carries a reason only when it has one', () => {
    const stored = { _id: 'c1-3', customerId: 'c1', items, amount: 3, status: 'received' as const, txnNumber: null, createdAt: new Date('2026-01-02T03:04:05Z') };
    expect(toOrderView(stored)).toEqual({ orderId: 'c1-3', customerId: 'c1', items, amount: 3, status: 'received', txnNumber: null, createdAt: '2026-01-02T03:04:05.000Z' });
    expect(toOrderView({ ...stored, status: 'rejected', reason: 'out of stock' })).toMatchObject({ status: 'rejected', reason: 'out of stock' });
  });

  test('When the same cart version is ordered twice, then both name the same order', () => {
    expect(orderIdFor('c1', 3)).toBe(orderIdFor('c1', 3));
    expect(orderIdFor('c1', 4)).not.toBe(orderIdFor('c1', 3));
  });

  test('When a shopper cancels, then received and confirmed orders move, a cancel under way is answered as is, and a rejected order is refused', () => {
    expect(cancelStep('received')).toBe('move-to-cancelling');
    expect(cancelStep('confirmed')).toBe('move-to-cancelling');
    expect(cancelStep('cancelling')).toBe('answer-as-is');
    expect(cancelStep('cancelled')).toBe('answer-as-is');
    expect(cancelStep('rejected')).toBe('refuse');
  });

  test('When an order was announced, then the announcement covers the verdicts that follow, and a cancel owes its own', () => {
    for (const status of ['received', 'confirmed', 'rejected'] as const) expect(statusesCoveredByAnnouncementAt(status)).toEqual(['received', 'confirmed', 'rejected']);
    for (const status of ['cancelling', 'cancelled'] as const) expect(statusesCoveredByAnnouncementAt(status)).toEqual(['cancelling', 'cancelled']);
  });
});
