import type { CartsContext } from '../context';
import { announceCart } from './announce-cart';

/** How long a change may take before the catch-up announces the cart in its place. */
const CHANGE_GRACE_MS = 5000;

/** Announces carts whose change a crash left unannounced (at start and periodically): their state now. */
export async function announcePendingCarts(context: CartsContext, graceMs = CHANGE_GRACE_MS): Promise<number> {
  const due = await context.carts.findUnannouncedBefore(new Date(Date.now() - graceMs));
  for (const cart of due) await announceCart(context, cart);
  return due.length;
}
