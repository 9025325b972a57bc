import { mongooseTypesOf, productFieldsSchema, type ProductFields } from '@shop/common';
import { Schema, type Connection, type Model, type Types } from 'mongoose';

/** A product of the catalogue: its fields (the shop's contract) and the catalogue's bookkeeping. */
export interface Product extends ProductFields {
  _id: Types.ObjectId;
  /** Increases with every change; events carry it so that replicas apply changes in order. */
  version: number;
  /**
   * Orders whose reservation has taken stock from this product and is not settled yet, marked in
   * the same update as the stock: a redelivery never takes a line twice, and a cancel gives back
   * exactly the lines taken. Cleared once the reservation's status is stored.
   */
  reservedFor: string[];
  /** Orders being cancelled whose stock has come back to this product: a redelivered cancel gives it back once. */
  releasedFor: string[];
  /**
   * False from the write that changes the product until the event of that version is sent
   * (confirmed by the broker, or stored in the outbox): the change and the duty to announce it
   * are one atomic document write, and a crash in between is caught up by
   * announcePendingProducts. Set true only while the version is the one announced.
   */
  announced: boolean;
  /** Deleted, but the deletion not yet announced; queries never see it. */
  deleted: boolean;
}

/** A product as the catalogue reads it, without the reservation bookkeeping. */
export type CatalogueProduct = Omit<Product, 'reservedFor' | 'releasedFor'>;

const productSchema = new Schema<Product>(
  {
    ...mongooseTypesOf(productFieldsSchema),
    type: { type: String, required: true, index: true },
    stock: { type: Number, required: true, min: 0 },
    version: { type: Number, required: true, default: 1 },
    reservedFor: { type: [String], default: [] },
    releasedFor: { type: [String], default: [] },
    announced: { type: Boolean, default: false },
    deleted: { type: Boolean, default: false },
  },
  { versionKey: false, collection: 'products' },
);
productSchema.index({ name: 1 });
// The few products whose last change is not yet announced.
productSchema.index({ announced: 1 });

export function productModel(connection: Connection): Model<Product> {
  return connection.models.Product ?? connection.model<Product>('Product', productSchema);
}
