import { ConflictError } from '@shop/common';
import type { Order } from '../../database/models/order';
import { orderIdFor, toOrderView, type OrderView } from '../../domain/order';
import { firstUnavailable, orderAmount, repriced } from '../../domain/pricing';
import type { OrdersContext } from '../context';
import { priceListOf } from '../price-list';
import { announceOrder, PLACEMENT_GRACE_MS } from './announce-order';

export interface Placement {
  order: OrderView;
  /** False when an earlier request (same txnNumber, or same cart) placed it. */
  created: boolean;
}

/**
 * Turns the cart into an order. The order id is the customer plus the cart version, so a retry
 * or a concurrent request for the same cart meets the first order's duplicate key and gets that
 * order back; a txnNumber seen before returns its order even after the cart has moved on.
 */
export async function placeOrder(context: OrdersContext, customerId: string, txnNumber: string | null): Promise<Placement> {
  const { orders, carts } = context;
  const cart = await carts.find(customerId);
  if (cart.items.length === 0) {
    // The cart may be empty because this txnNumber's order emptied it: that order comes back.
    const earlier = txnNumber ? await requestedOrder(context, customerId, txnNumber) : null;
    if (earlier) return { order: toOrderView(earlier), created: false };
    throw new ConflictError('The cart is empty', 'EMPTY_CART');
  }
  const orderId = orderIdFor(customerId, cart.version);
  if (txnNumber && !(await orders.claimRequest(customerId, txnNumber, orderId))) {
    const earlier = await requestedOrder(context, customerId, txnNumber);
    if (earlier) return { order: toOrderView(earlier), created: false };
    // Claimed by an attempt that never wrote its order (it failed or crashed): this one takes it over.
    await orders.reclaimRequest(customerId, txnNumber, orderId);
  }
  const order = newOrder(orderId, customerId, txnNumber, cart.version, await priceAtOrderTime(context, cart.items));
  if (await orders.insert(order)) {
    await announceOrder(context, order, { fresh: true });
    return { order: toOrderView(order), created: true };
  }
  const stored = await orders.findById(orderId);
  if (!stored) throw new Error(`order ${orderId} vanished`);
  // The first placement is at work (leave it to it), or crashed in between: then finish it now.
  if (!stored.announced && stored.updatedAt.getTime() < Date.now() - PLACEMENT_GRACE_MS) await announceOrder(context, stored, { fresh: false });
  return { order: toOrderView(stored), created: false };
}

function newOrder(orderId: string, customerId: string, txnNumber: string | null, cartVersion: number, items: Order['items']): Order {
  const now = new Date();
  return { _id: orderId, customerId, items, amount: orderAmount(items), status: 'received', txnNumber, cartVersion, createdAt: now, announced: false, updatedAt: now };
}

async function priceAtOrderTime({ catalogue }: OrdersContext, items: Order['items']): Promise<Order['items']> {
  const prices = await priceListOf(catalogue, items);
  const unavailable = firstUnavailable(items, prices);
  if (unavailable) throw new ConflictError(`"${unavailable.product.name}" is no longer available; remove it from the cart`, 'PRODUCT_UNAVAILABLE');
  return repriced(items, prices);
}

async function requestedOrder({ orders }: OrdersContext, customerId: string, txnNumber: string): Promise<Order | null> {
  const request = await orders.findRequest(customerId, txnNumber);
  return request && orders.findById(request.orderId);
}
