import { toOrderView, type OrderView } from '../../domain/order';
import type { OrdersContext } from '../context';

/** The customer's orders, newest first. */
export async function listOrders({ orders }: OrdersContext, customerId: string): Promise<OrderView[]> {
  return (await orders.listOfCustomer(customerId)).map(toOrderView);
}
