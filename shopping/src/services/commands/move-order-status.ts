import { ORDER_STATUS_MOVES, type OrderStatusEvent } from '@shop/common';
import type { OrdersContext } from '../context';

/** Moves the order as a stock event of the saga says (idempotent: a move happens once, from its statuses only). */
export async function moveOrderStatus({ orders }: Pick<OrdersContext, 'orders'>, event: OrderStatusEvent, orderId: string, reason?: string): Promise<void> {
  const { from, to } = ORDER_STATUS_MOVES[event];
  await orders.moveStatus(orderId, from, to, { reason });
}
