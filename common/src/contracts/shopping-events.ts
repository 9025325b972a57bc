import { z } from 'zod';
import { lineProductSchema } from './product';

export const ShoppingEvents = {
  cartUpdated: 'cart.updated',
  orderPlaced: 'order.placed',
  /** The shopper cancelled the order: its stock is to go back. */
  orderCancelled: 'order.cancelled',
} as const;

export const StockEvents = {
  stockReserved: 'stock.reserved',
  stockRejected: 'stock.rejected',
  /** The stock of a cancelled order is back (or was never taken). */
  stockReleased: 'stock.released',
} as const;

export const WishlistEvents = {
  itemAdded: 'wishlist.item-added',
  itemRemoved: 'wishlist.item-removed',
} as const;

export const ORDER_STATUSES = ['received', 'confirmed', 'rejected', 'cancelling', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const lineSchema = z.object({ product: lineProductSchema, unit: z.number().int().positive() });
export type Line = z.infer<typeof lineSchema>;

export const cartUpdatedSchema = z.object({
  customerId: z.string(),
  items: z.array(lineSchema),
  /** The cart's version after the change: a replica applies only newer versions. */
  version: z.number().int(),
});
export type CartUpdated = z.infer<typeof cartUpdatedSchema>;

/** cart.updated carries the whole cart; its id names the version, so a re-send is one event. */
export const cartUpdatedEventId = (customerId: string, version: number): string => `${ShoppingEvents.cartUpdated}:${customerId}:${version}`;

export const orderPlacedSchema = z.object({
  orderId: z.string(),
  customerId: z.string(),
  items: z.array(lineSchema).min(1),
  amount: z.number(),
  status: z.enum(ORDER_STATUSES),
  txnNumber: z.string().nullable(),
  createdAt: z.string(),
});
export type OrderPlaced = z.infer<typeof orderPlacedSchema>;

export const orderCancelledSchema = z.object({ orderId: z.string(), customerId: z.string(), items: z.array(lineSchema).min(1) });
export type OrderCancelled = z.infer<typeof orderCancelledSchema>;

export const stockReservedSchema = z.object({ orderId: z.string(), customerId: z.string() });
export const stockRejectedSchema = z.object({ orderId: z.string(), customerId: z.string(), reason: z.string() });
export const stockReleasedSchema = z.object({ orderId: z.string(), customerId: z.string() });
export type StockReserved = z.infer<typeof stockReservedSchema>;
export type StockRejected = z.infer<typeof stockRejectedSchema>;
export type StockReleased = z.infer<typeof stockReleasedSchema>;

/**
 * The id of an order saga's event: one per order and type, so an event announced again (a retry,
 * a catch-up) is the same event and consumers apply it once.
 */
export const orderEventId = (type: string, orderId: string): string => `${type}:${orderId}`;

export const wishlistChangedSchema = z.object({ customerId: z.string(), productId: z.string() });
