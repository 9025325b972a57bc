import type { UpstreamName } from './config';

/**
 * Which service owns a path. Each path goes where its data lives: the original project sent
 * /wishlist and /cart to products; here they go to customer and shopping.
 */
const PREFIXES: Array<[prefix: string, upstream: UpstreamName]> = [
  ['/customer', 'customer'],
  ['/wishlist', 'customer'],
  ['/shopping', 'shopping'],
  ['/cart', 'shopping'],
];

export function upstreamFor(path: string): UpstreamName {
  for (const [prefix, upstream] of PREFIXES) {
    if (path === prefix || path.startsWith(`${prefix}/`)) return upstream;
  }
  return 'products';
}
