import mongoose, { type Connection, type Model } from 'mongoose';
import { productModel, type Product } from './models/product';

export type NewProduct = Omit<Product, '_id' | 'version' | 'reservedFor'>;
export type ProductChanges = Partial<NewProduct> & { reservedFor?: string[] };

export interface ProductSearch {
  type?: string;
  /** Plain text matched anywhere in the name, case-insensitively. */
  text?: string;
  page: number;
  limit: number;
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The only code that reads or writes the catalogue in MongoDB. */
export class ProductRepository {
  private readonly model: Model<Product>;

  constructor(connection: Connection) {
    this.model = productModel(connection);
  }

  async create(product: NewProduct): Promise<Product> {
    const created = await this.model.create({ ...product, version: 1 });
    return created.toObject();
  }

  async findById(id: string): Promise<Product | null> {
    return this.model.findById(id).lean();
  }

  async findByIds(ids: string[]): Promise<Product[]> {
    return this.model.find({ _id: mongoose.trusted({ $in: ids }) }).lean();
  }

  async findAll(): Promise<Product[]> {
    return this.model.find().sort({ _id: 1 }).lean();
  }

  async findByType(type: string): Promise<Product[]> {
    return this.model.find({ type }).sort({ _id: 1 }).lean();
  }

  async search({ type, text, page, limit }: ProductSearch): Promise<{ products: Product[]; total: number }> {
    const filter: Record<string, unknown> = {};
    if (type) filter.type = type;
    // Escaped: the text is matched literally, so no client pattern can make the regex explode.
    if (text) filter.name = mongoose.trusted({ $regex: escapeRegExp(text), $options: 'i' });
    const [products, total] = await Promise.all([
      this.model.find(filter).sort({ _id: 1 }).skip((page - 1) * limit).limit(limit).lean(),
      this.model.countDocuments(filter),
    ]);
    return { products, total };
  }

  async count(): Promise<number> {
    return this.model.estimatedDocumentCount();
  }

  /**
   * Applies changes and bumps the version. The version condition makes a concurrent change of the
   * same product fail (null) instead of silently overwriting it on MongoDB.
   */
  async update(id: string, expectedVersion: number, changes: ProductChanges): Promise<Product | null> {
    return this.model
      .findOneAndUpdate({ _id: id, version: expectedVersion }, { $set: { ...changes, version: expectedVersion + 1 } }, { new: true })
      .lean();
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.model.deleteOne({ _id: id });
    return result.deletedCount === 1;
  }

  async insertMany(products: NewProduct[]): Promise<void> {
    await this.model.insertMany(products.map((product) => ({ ...product, version: 1 })));
  }
}
