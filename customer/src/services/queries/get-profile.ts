import type { PublicProduct } from '@shop/common';
import type { Address } from '../../database/models/customer';
import { orderSummary, type CustomerView, type OrderSummary } from '../../domain/customer-view';
import type { ProfilesContext } from '../context';
import { requireCustomer } from './find-customer';
import { wishlistProducts } from './get-wishlist';

/** What /customer/profile and /customer/shoping-details answer: never a password hash. */
export interface CustomerProfile {
  _id: string;
  email: string;
  phone: string;
  role: string;
  address: Address[];
  wishlist: PublicProduct[];
  cart: CustomerView['cart'];
  /** Newest first. */
  orders: OrderSummary[];
}

/** The account with its wishlist, and the cart and orders as the customer view has them. */
export async function getProfile(context: ProfilesContext, customerId: string): Promise<CustomerProfile> {
  const customer = await requireCustomer(context, customerId);
  const [wishlist, view, orders] = await Promise.all([wishlistProducts(context, customer), context.views.find(customerId), context.views.listOrders(customerId)]);
  const { email, phone, role, address } = customer;
  return { _id: customerId, email, phone, role, address, wishlist, cart: view.cart, orders: orders.map(orderSummary) };
}
