import { callerOf, parseBody, parseParams, requireAuth, type TokenSettings } from '@shop/common';
import { Router } from 'express';
import type { Carts } from '../services/carts';
import type { Orders } from '../services/orders';
import { cartLineBody, orderIdParams, placeOrderBody, productIdParams } from './schemas';

export interface ShoppingRoutesDependencies {
  carts: Carts;
  orders: Orders;
  tokens: TokenSettings;
}

export function shoppingRoutes({ carts, orders, tokens }: ShoppingRoutesDependencies): Router {
  const router = Router();
  router.use(requireAuth(tokens));

  router.get('/shopping/cart', async (req, res) => {
    // The original answered a find over carts, and its clients read an array. A shopper without a
    // cart gets an empty cart document too, so that clients can always read `[0].items`.
    res.json([await carts.getCart(callerOf(req).customerId)]);
  });

  router.put('/cart', async (req, res) => {
    const { _id, qty } = parseBody(cartLineBody, req);
    res.json(await carts.setQuantity(callerOf(req).customerId, _id, qty));
  });

  router.delete('/cart/:id', async (req, res) => {
    const { id } = parseParams(productIdParams, req);
    res.json(await carts.removeItem(callerOf(req).customerId, id));
  });

  router.post('/shopping/order', async (req, res) => {
    const { txnNumber } = parseBody(placeOrderBody, req);
    const { order, created } = await orders.placeOrder(callerOf(req).customerId, txnNumber ?? null);
    res.status(created ? 201 : 200).json(order);
  });

  router.get('/shopping/orders', async (req, res) => {
    res.json(await orders.listOrders(callerOf(req).customerId));
  });

  router.get('/shopping/orders/:id', async (req, res) => {
    const { id } = parseParams(orderIdParams, req);
    res.json(await orders.getOrder(callerOf(req).customerId, id));
  });

  router.post('/shopping/orders/:id/cancel', async (req, res) => {
    const { id } = parseParams(orderIdParams, req);
    res.json(await orders.cancelOrder(callerOf(req).customerId, id));
  });

  return router;
}
