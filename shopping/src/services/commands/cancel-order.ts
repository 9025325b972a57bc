import { CANCELLABLE_STATUSES, ConflictError, NotFoundError } from '@shop/common';
import { cancelStep, toOrderView, type OrderView } from '../../domain/order';
import type { OrdersContext } from '../context';
import { announceOrder } from './announce-order';

/**
 * Cancels an order that is received or confirmed: it is `cancelling` until products has given
 * its stock back (stock.released), then `cancelled`. Cancelling again answers the order as it
 * is; a rejected order cannot be cancelled.
 */
export async function cancelOrder(context: OrdersContext, customerId: string, orderId: string): Promise<OrderView> {
  for (;;) {
    const order = await context.orders.findOfCustomer(customerId, orderId);
    if (!order) throw new NotFoundError('No such order', 'ORDER_NOT_FOUND');
    const step = cancelStep(order.status);
    if (step === 'answer-as-is') return toOrderView(order);
    if (step === 'refuse') throw new ConflictError(`A ${order.status} order cannot be cancelled`, 'ORDER_NOT_CANCELLABLE');
    const cancelling = await context.orders.moveStatus(orderId, CANCELLABLE_STATUSES, 'cancelling', { announce: true });
    // Null: a verdict moved the order meanwhile; decide again on its new status.
    if (cancelling) {
      // order.placed goes again only if its placement may not have been announced yet.
      await announceOrder(context, cancelling, { fresh: false, placement: !order.announced });
      return toOrderView(cancelling);
    }
  }
}
