import { NotFoundError } from '@shop/common';
import { toOrderView, type OrderView } from '../../domain/order';
import type { OrdersContext } from '../context';

/** An order of this customer's; another customer's order is as unknown as a missing one. */
export async function getOrder({ orders }: OrdersContext, customerId: string, orderId: string): Promise<OrderView> {
  const order = await orders.findOfCustomer(customerId, orderId);
  if (!order) throw new NotFoundError('No such order', 'ORDER_NOT_FOUND');
  return toOrderView(order);
}
