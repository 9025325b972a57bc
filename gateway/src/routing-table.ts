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

/**
 * What each service answers for its operators on its own port (the gateway's health check reads
 * /ready there): never forwarded from the public port. Express matches paths case-insensitively
 * and with a trailing slash, so this does too.
 */
const INTERNAL_PATH = /^\/(ready|metrics)\/?$/i;

export const isInternalPath = (path: string): boolean => INTERNAL_PATH.test(path);
