import { upstreamFor } from './routing-table';

describe('gateway: the routing table', () => {
  test.each([
    ['/customer/signup', 'customer'],
    ['/customer/address/', 'customer'],
    ['/wishlist', 'customer'],
    ['/wishlist/65a000000000000000000001', 'customer'],
    ['/shopping/order/', 'shopping'],
    ['/shopping/orders', 'shopping'],
    ['/cart', 'shopping'],
    ['/cart/65a000000000000000000001', 'shopping'],
    ['/', 'products'],
    ['/category/fruits', 'products'],
    ['/ids', 'products'],
    ['/product/create', 'products'],
    ['/65a000000000000000000001', 'products'],
    ['/customers', 'products'],
    ['/cartoon', 'products'],
  ])('When the path is %s, then it goes to %s', (path, upstream) => {
    expect(upstreamFor(path)).toBe(upstream);
  });
});
