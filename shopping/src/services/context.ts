import type { CatalogueReplica, Outbox } from '@shop/common';
import type { CartRepository } from '../database/cart-repository';
import type { OrderRepository } from '../database/order-repository';

/** What the cart's use cases work with. */
export interface CartsContext {
  carts: CartRepository;
  catalogue: CatalogueReplica;
  outbox: Outbox;
}

/** What the order's use cases work with: an order is made from a cart. */
export interface OrdersContext extends CartsContext {
  orders: OrderRepository;
}
