import { createEvent, currentRequestId, orderEventId, ShoppingEvents, type EventEnvelope, type OrderCancelled, type OrderPlaced } from '@shop/common';
import type { Order } from '../../database/models/order';
import { toOrderView } from '../../domain/order';
import type { OrdersContext } from '../context';
import { cartUpdatedEvent } from './announce-cart';

/** How long a placement may take before another request or the catch-up finishes it instead. */
export const PLACEMENT_GRACE_MS = 5000;

export interface AnnounceOptions {
  /** The first announcement, by the request that made the change (else finishing it again). */
  fresh: boolean;
  /** Whether order.placed is to go (again). */
  placement?: boolean;
}

/**
 * Sends the events of the order's state together, then marks it announced: order.placed with the
 * emptied cart's cart.updated (and, when finishing again, its txnNumber tied to it), and
 * order.cancelled once it is cancelling. All idempotent, so a second run changes nothing twice:
 * an event sent again goes under the same id and consumers drop it.
 */
export async function announceOrder(context: OrdersContext, order: Order, { fresh, placement = true }: AnnounceOptions): Promise<void> {
  const { _id: orderId, customerId, txnNumber } = order;
  const events: EventEnvelope[] = [];
  if (placement) {
    const [emptiedCart] = await Promise.all([
      emptyCart(context, customerId, order.cartVersion, { fresh }),
      !fresh && txnNumber ? context.orders.claimRequest(customerId, txnNumber, orderId) : undefined,
    ]);
    // order.placed first, so it is relayed before the emptied cart's cart.updated.
    events.push(orderEvent<OrderPlaced>(ShoppingEvents.orderPlaced, orderId, { ...toOrderView(order), status: 'received' }), ...(emptiedCart ? [emptiedCart] : []));
  }
  if (order.status === 'cancelling') {
    events.push(orderEvent<OrderCancelled>(ShoppingEvents.orderCancelled, orderId, { orderId, customerId, items: order.items }));
  }
  if (events.length > 0) await context.outbox.send(...events);
  await context.orders.markAnnounced(order);
}

function orderEvent<T extends object>(type: string, orderId: string, data: T): EventEnvelope<T> {
  return createEvent<T>({ type, id: orderEventId(type, orderId), data, source: 'shopping', correlationId: currentRequestId() });
}

/**
 * Empties the cart the order was made from, if it is still at that version (newer lines stay for
 * the next order), and returns the cart.updated that announces it: the order's own `announced`
 * covers it, so the cart is not marked. When finishing again, the cart's current state is
 * announced whatever it is: that is always right, and its event id names its version.
 */
async function emptyCart(context: OrdersContext, customerId: string, orderedVersion: number, { fresh }: { fresh: boolean }): Promise<EventEnvelope | undefined> {
  const emptied = await context.carts.emptyAt(customerId, orderedVersion);
  if (emptied) return cartUpdatedEvent(customerId, emptied.items, emptied.version);
  if (fresh) return undefined;
  const cart = await context.carts.find(customerId);
  return cart.version > orderedVersion ? cartUpdatedEvent(customerId, cart.items, cart.version) : undefined;
}
