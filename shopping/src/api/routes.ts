import { callerOf, parseBody, parseParams, requireAuth, type TokenSettings } from '@shop/common';
import { Router } from 'express';
import type { CartsContext, OrdersContext } from '../services/context';
import { cancelOrder } from '../services/commands/cancel-order';
import { placeOrder } from '../services/commands/place-order';
import { removeCartLine } from '../services/commands/remove-cart-line';
import { setCartLine } from '../services/commands/set-cart-line';
import { getCart } from '../services/queries/get-cart';
import { getOrder } from '../services/queries/get-order';
import { listOrders } from '../services/queries/list-orders';
import { cartLineBody, orderIdParams, placeOrderBody, productIdParams } from './schemas';

export interface ShoppingRoutesDependencies {
  carts: CartsContext;
  orders: OrdersContext;
  tokens: TokenSettings;
}

export function shoppingRoutes({ carts, orders, tokens }: ShoppingRoutesDependencies): Router {
  const router = Router();
  router.use(requireAuth(tokens));

  router.get('/shopping/cart', async (req, res) => {
    // The original answered a find over carts, and its clients read an array. A shopper without a
    // cart gets an empty cart document too, so that clients can always read `[0].items`.
    res.json([await getCart(carts, callerOf(req).customerId)]);
  });

  router.put('/cart', async (req, res) => {
    const { _id, qty } = parseBody(cartLineBody, req);
    res.json(await setCartLine(carts, callerOf(req).customerId, _id, qty));
  });

  router.delete('/cart/:id', async (req, res) => {
    const { id } = parseParams(productIdParams, req);
    res.json(await removeCartLine(carts, callerOf(req).customerId, id));
  });

  router.post('/shopping/order', async (req, res) => {
    const { txnNumber } = parseBody(placeOrderBody, req);
    const { order, created } = await placeOrder(orders, callerOf(req).customerId, txnNumber ?? null);
    res.status(created ? 201 : 200).json(order);
  });

  router.get('/shopping/orders', async (req, res) => {
    res.json(await listOrders(orders, callerOf(req).customerId));
  });

  router.get('/shopping/orders/:id', async (req, res) => {
    const { id } = parseParams(orderIdParams, req);
    res.json(await getOrder(orders, callerOf(req).customerId, id));
  });

  router.post('/shopping/orders/:id/cancel', async (req, res) => {
    const { id } = parseParams(orderIdParams, req);
    res.json(await cancelOrder(orders, callerOf(req).customerId, id));
  });

  return router;
}
