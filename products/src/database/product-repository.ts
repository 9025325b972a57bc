import { flushLaterUpdates, LaterUpdates } from '@shop/common';
import mongoose, { Types, type Connection, type Model } from 'mongoose';
import type { StockLine } from '../domain/stock';
import { productModel, type CatalogueProduct, type Product } from './models/product';

export type NewProduct = Omit<Product, '_id' | 'version' | 'reservedFor' | 'releasedFor' | 'announced' | 'deleted'>;
export type ProductChanges = Partial<NewProduct>;

/** The marks an order leaves on a product while its reservation or its release is under way. */
export type StockMark = 'reservedFor' | 'releasedFor';

/** Products a deletion has not yet removed are invisible to every query. */
const LIVE = { deleted: mongoose.trusted({ $ne: true }) };

/** The only code that reads or writes the catalogue in MongoDB. */
export class ProductRepository {
  private readonly model: Model<Product>;
  private readonly marks: LaterUpdates<Product>;

  constructor(connection: Connection) {
    this.model = productModel(connection);
    this.marks = new LaterUpdates(this.model);
  }

  async create(product: NewProduct): Promise<Product> {
    const created = await this.model.create({ ...product, version: 1, announced: false });
    return created.toObject();
  }

  async findById(id: string): Promise<Product | null> {
    if (!Types.ObjectId.isValid(id)) return null;
    const product = await this.model.findById(id).lean();
    return product && !product.deleted ? product : null;
  }

  /** The whole live catalogue, without the reservation bookkeeping, which only stock reservations read. */
  async findAll(): Promise<CatalogueProduct[]> {
    return this.model.find(LIVE).select({ reservedFor: 0, releasedFor: 0 }).sort({ _id: 1 }).lean();
  }

  async count(): Promise<number> {
    return this.model.countDocuments(LIVE);
  }

  /**
   * Takes the line's units for the order if the product is available, has them, and has not given
   * them to this order already; the product as changed, or null when it took nothing.
   */
  async takeLine(orderId: string, { productId, unit }: StockLine): Promise<Product | null> {
    const filter = { available: true, stock: mongoose.trusted({ $gte: unit }), reservedFor: mongoose.trusted({ $ne: orderId }) };
    return this.changeStock(productId, filter, { $inc: { stock: -unit, version: 1 }, $push: { reservedFor: orderId } });
  }

  /** Gives back a line this order's unsettled reservation took (the mark says it did); null when there is none. */
  async giveBackLine(orderId: string, { productId, unit }: StockLine): Promise<Product | null> {
    return this.changeStock(productId, { reservedFor: orderId }, { $inc: { stock: unit, version: 1 }, $pull: { reservedFor: orderId } });
  }

  /** Gives back a line of a reserved order being cancelled, unless it came back already; null then. */
  async returnReservedLine(orderId: string, { productId, unit }: StockLine): Promise<Product | null> {
    const filter = { releasedFor: mongoose.trusted({ $ne: orderId }) };
    return this.changeStock(productId, filter, { $inc: { stock: unit, version: 1 }, $push: { releasedFor: orderId }, $pull: { reservedFor: orderId } });
  }

  /** Removes the order's mark once its reservation is settled; the stock stays as it is. */
  async clearMark(mark: StockMark, orderId: string, productId: string): Promise<void> {
    if (!Types.ObjectId.isValid(productId)) return;
    await this.model.updateOne({ _id: productId }, { $pull: { [mark]: orderId } });
  }

  /** One guarded stock change of a live product: a new version, to be announced. */
  private async changeStock(productId: string, guard: object, update: mongoose.UpdateQuery<Product>): Promise<Product | null> {
    if (!Types.ObjectId.isValid(productId)) return null;
    return this.model.findOneAndUpdate({ _id: productId, ...LIVE, ...guard }, { ...update, $set: { announced: false } }, { returnDocument: 'after' }).lean();
  }

  /**
   * Applies changes and bumps the version. The version condition makes a concurrent change of the
   * same product fail (null) instead of silently overwriting it on MongoDB.
   */
  async update(id: string, expectedVersion: number, changes: ProductChanges): Promise<Product | null> {
    return this.model
      .findOneAndUpdate({ _id: id, ...LIVE, version: expectedVersion }, { $set: { ...changes, version: expectedVersion + 1, announced: false } }, { returnDocument: 'after' })
      .lean();
  }

  /** Marks a product deleted (to be announced, then removed); null if it changed meanwhile. */
  async markDeleted(id: string, expectedVersion: number): Promise<Product | null> {
    return this.model
      .findOneAndUpdate({ _id: id, ...LIVE, version: expectedVersion }, { $set: { deleted: true, version: expectedVersion + 1, announced: false } }, { returnDocument: 'after' })
      .lean();
  }

  /** Removes a deleted product once its deletion is announced. */
  async remove(id: string): Promise<void> {
    await this.model.deleteOne({ _id: id, deleted: true });
  }

  /** Records, a moment later, that this version's event is sent, unless the product has changed since (that change announces itself). */
  markAnnounced(id: string, version: number): void {
    this.marks.updateOne({ _id: id, version }, { $set: { announced: true } });
  }

  /**
   * Products whose last change is not yet announced (a crash, or a very slow request, cut it off).
   * The marks still waiting to be written go first: what was sent is not taken for unannounced.
   */
  async findUnannounced(): Promise<Product[]> {
    await flushLaterUpdates(this.model.db);
    return this.model.find({ announced: false }).lean();
  }

  async insertMany(products: NewProduct[]): Promise<void> {
    await this.model.insertMany(products.map((product) => ({ ...product, version: 1, announced: false })));
  }
}
