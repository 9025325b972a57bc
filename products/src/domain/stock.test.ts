import type { Line } from '@shop/common/contracts';
import { demandOf, keepsMarkedStock, refusal, stepOnCancelled } from './stock';

const line = (productId: string, unit: number): Line => ({ product: { _id: productId, name: 'Thing', desc: '', price: 1, banner: '', type: 'things' }, unit });

describe('stock rules', () => {
  test('When an order names a product on several lines, then its demand is one line per product with the units summed', () => {
    expect(demandOf([line('a', 2), line('b', 3), line('a', 1)])).toEqual([
      { productId: 'a', unit: 3 },
      { productId: 'b', unit: 3 },
    ]);
  });

  test('When a take left a line alone, then the reason names what is missing, unless the order took it before', () => {
    const want = { productId: 'a', unit: 3 };
    expect(refusal('o1', want, null)).toBe('product a does not exist');
    expect(refusal('o1', want, { available: false, stock: 10, reservedFor: [] })).toBe('product a is not available');
    expect(refusal('o1', want, { available: true, stock: 2, reservedFor: ['o2'] })).toBe('not enough stock of product a: 2 left, 3 ordered');
    expect(refusal('o1', want, { available: true, stock: 0, reservedFor: ['o2', 'o1'] })).toBeUndefined();
  });

  test('When an order is cancelled, then a reserved one returns every line and any other returns only what its marks hold', () => {
    expect(stepOnCancelled('reserved')).toBe('return-all-lines');
    expect(stepOnCancelled('pending')).toBe('mark-released');
    expect(stepOnCancelled('rejected')).toBe('mark-released');
    expect(stepOnCancelled('released')).toBe('repeat-release');
  });

  test('When a reservation is settled, then only a reserved order keeps the stock its marks hold', () => {
    expect(keepsMarkedStock('reserved')).toBe(true);
    expect(keepsMarkedStock('rejected')).toBe(false);
    expect(keepsMarkedStock('released')).toBe(false);
  });
});
