import type { CustomerViewRepository } from '../../database/customer-view-repository';
import { applyViewChange, onlyCarts, type ViewChange } from '../../domain/customer-view';

/** How often a customer's changes are applied again to a view that another instance wrote meanwhile. */
const ATTEMPTS_PER_DELIVERY = 5;

/**
 * Applies one customer's changes, in the order their events came, to the view in memory and
 * writes it once (not at all when nothing changed); carts alone are set in place without a read.
 * Instances of the service apply a customer's events side by side: a write from a view that
 * another changed since it was read is refused, and the changes are applied again to the new one.
 */
export async function applyViewChanges(views: CustomerViewRepository, customerId: string, changes: ViewChange[]): Promise<void> {
  for (const { change } of changes) {
    if (change.customerId !== customerId) throw new Error(`a change of customer ${change.customerId} among ${customerId}'s`);
  }
  const newestCart = onlyCarts(changes);
  // A cart alone is set in place, without reading the view.
  if (newestCart) return views.setCartIfNewer(customerId, newestCart.items, newestCart.version);
  for (let attempt = 1; attempt <= ATTEMPTS_PER_DELIVERY; attempt++) {
    const view = await views.find(customerId);
    const changed = changes.reduce((any, change) => applyViewChange(view, change) || any, false);
    if (!changed || (await views.saveIfUnchanged(view))) return;
  }
  // The consumer retries it through the broker.
  throw new Error(`the view of customer ${customerId} kept changing while these changes were applied`);
}
