import type { CustomerViewRepository } from '../../database/customer-view-repository';
import { movedOrder, viewWrites, type NewOrder, type StatusMove, type ViewChange } from '../../domain/customer-view';

/** How often a move is tried on an order whose status changed between the update and the read. */
const ATTEMPTS_PER_MOVE = 3;

/**
 * Applies one customer's changes, in the order their events came: the newest cart set in place,
 * the new orders inserted in one command, each other status move one guarded update. Every write
 * is atomic and idempotent by itself, so instances of the service apply a customer's events side
 * by side.
 */
export async function applyViewChanges(views: CustomerViewRepository, customerId: string, changes: ViewChange[]): Promise<void> {
  for (const { change } of changes) {
    if (change.customerId !== customerId) throw new Error(`a change of customer ${change.customerId} among ${customerId}'s`);
  }
  const { cart, newOrders, moves } = viewWrites(changes);
  await Promise.all([cart && views.setCartIfNewer(customerId, cart.items, cart.version), applyOrderWrites(views, customerId, newOrders, moves)]);
}

async function applyOrderWrites(views: CustomerViewRepository, customerId: string, newOrders: NewOrder[], moves: StatusMove[]): Promise<void> {
  const stored = await views.insertOrders(newOrders.map(({ order }) => order));
  // An order stored before (its order.placed came again) takes this batch's moves of it in place.
  const movesOfStoredBefore = newOrders.flatMap(({ moves: orderMoves }, i) => (stored[i] ? [] : orderMoves));
  for (const move of [...movesOfStoredBefore, ...moves]) await moveStatus(views, customerId, move);
}

/**
 * One guarded update; a read only when it misses: no order yet (throwing makes the consumer retry
 * until it is there), an order the move may not leave (the event came twice, or after one that
 * overtakes it: nothing to do), or an order inserted between the two (the move is tried again).
 */
async function moveStatus(views: CustomerViewRepository, customerId: string, move: StatusMove): Promise<void> {
  for (let attempt = 1; attempt <= ATTEMPTS_PER_MOVE; attempt++) {
    if (await views.moveOrderStatus(customerId, move)) return;
    const order = await views.findOrder(customerId, move.orderId);
    if (!order) throw new Error(`order ${move.orderId} is not in the view yet`);
    if (movedOrder(order, move) === order) return;
  }
  throw new Error(`order ${move.orderId} kept changing while it was moved to ${move.to}`);
}
