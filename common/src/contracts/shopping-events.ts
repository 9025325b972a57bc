import { z } from 'zod';

export const ShoppingEvents = {
  cartUpdated: 'cart.updated',
  orderPlaced: 'order.placed',
} as const;

export const StockEvents = {
  stockReserved: 'stock.reserved',
  stockRejected: 'stock.rejected',
} as const;

export const WishlistEvents = {
  itemAdded: 'wishlist.item-added',
  itemRemoved: 'wishlist.item-removed',
} as const;

export const ORDER_STATUSES = ['received', 'confirmed', 'rejected'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** The product fields a cart line or order line carries (priced at the time). */
export const lineProductSchema = z.object({
  _id: z.string(),
  name: z.string(),
  price: z.number(),
  banner: z.string(),
  type: z.string().optional(),
});
export type LineProduct = z.infer<typeof lineProductSchema>;

export const lineSchema = z.object({ product: lineProductSchema, unit: z.number().int().positive() });
export type Line = z.infer<typeof lineSchema>;

export const cartUpdatedSchema = z.object({
  customerId: z.string(),
  items: z.array(lineSchema),
  /** The cart's version after the change: a replica applies only newer versions. */
  version: z.number().int(),
});
export type CartUpdated = z.infer<typeof cartUpdatedSchema>;

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

export const stockReservedSchema = z.object({ orderId: z.string(), customerId: z.string() });
export const stockRejectedSchema = z.object({ orderId: z.string(), customerId: z.string(), reason: z.string() });
export type StockReserved = z.infer<typeof stockReservedSchema>;
export type StockRejected = z.infer<typeof stockRejectedSchema>;

export const wishlistChangedSchema = z.object({ customerId: z.string(), productId: z.string() });
