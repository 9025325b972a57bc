import type { Line, PublicProduct } from '@shop/common/contracts';
import { firstUnavailable, orderAmount, repriced } from './pricing';

const product = (id: string, price: number, available = true): PublicProduct => ({
  _id: id,
  name: `Product ${id}`,
  desc: '',
  type: 'things',
  banner: '',
  unit: 1,
  price,
  available,
  suplier: '',
  stock: 10,
});
const line = (id: string, price: number, unit: number): Line => ({ product: { _id: id, name: `Product ${id}`, desc: '', type: 'things', banner: '', price }, unit });
const prices = (...products: PublicProduct[]) => new Map(products.map((p) => [p._id, p]));

describe('pricing', () => {
  test('When lines are summed, then the amount is exact to the cent', () => {
    expect(orderAmount([line('a', 0.1, 1), line('b', 0.2, 1)])).toBe(0.3);
    expect(orderAmount([line('a', 1.1, 3), line('b', 2.25, 2)])).toBe(7.8);
    expect(orderAmount([])).toBe(0);
  });

  test('When a cart is read, then its lines carry current prices and products gone from the catalogue are left out', () => {
    expect(repriced([line('a', 1, 2), line('gone', 5, 1)], prices(product('a', 3)))).toEqual([line('a', 3, 2)]);
  });

  test('When an order is placed, then a line whose product is gone or unavailable stops it', () => {
    const apples = line('a', 1, 2);
    const gone = line('gone', 1, 1);
    expect(firstUnavailable([apples], prices(product('a', 3)))).toBeUndefined();
    expect(firstUnavailable([apples], prices(product('a', 3, false)))).toBe(apples);
    expect(firstUnavailable([apples, gone], prices(product('a', 3)))).toBe(gone);
  });
});
