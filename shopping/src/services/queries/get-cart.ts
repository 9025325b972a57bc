import type { Line } from '@shop/common';
import { repriced } from '../../domain/pricing';
import type { CartsContext } from '../context';
import { priceListOf } from '../price-list';

/** The cart as the original answered it: a document keyed by its customer. */
export interface CartView {
  _id: string;
  customerId: string;
  items: Line[];
}

/** The cart at the catalogue's current prices (a cart is stored under its customer's id). */
export async function getCart({ carts, catalogue }: CartsContext, customerId: string): Promise<CartView> {
  const cart = await carts.find(customerId);
  return { _id: customerId, customerId, items: repriced(cart.items, await priceListOf(catalogue, cart.items)) };
}
