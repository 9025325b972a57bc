import { ConflictError, isDuplicateKeyError } from '@shop/common';
import { Types, type Connection, type Model } from 'mongoose';
import { customerModel, type Address, type Customer } from './models/customer';

export type NewCustomer = Pick<Customer, 'email' | 'passwordHash' | 'phone' | 'role'>;

export class CustomerRepository {
  private readonly model: Model<Customer>;

  constructor(connection: Connection) {
    this.model = customerModel(connection);
  }

  /** The unique index on email decides a race between two sign-ups: the second gets a 409. */
  async create(customer: NewCustomer): Promise<Customer> {
    try {
      const created = await this.model.create({ ...customer, address: [], wishlist: [], createdAt: new Date() });
      return created.toObject();
    } catch (error) {
      if (isDuplicateKeyError(error)) throw new ConflictError('An account with this email exists', 'EMAIL_TAKEN');
      throw error;
    }
  }

  async findByEmail(email: string): Promise<Customer | null> {
    return this.model.findOne({ email }).lean();
  }

  async findById(id: string): Promise<Customer | null> {
    if (!Types.ObjectId.isValid(id)) return null;
    return this.model.findById(id).lean();
  }

  async addAddress(id: string, address: Omit<Address, '_id'>): Promise<Customer | null> {
    return this.model.findByIdAndUpdate(id, { $push: { address: { _id: new Types.ObjectId(), ...address } } }, { returnDocument: 'after' }).lean();
  }

  /**
   * Adds the product to the wishlist in place: `changed` is false when it was there already,
   * `found` false when there is no such customer. Concurrent adds keep every product, once.
   */
  async addToWishlist(id: string, productId: string): Promise<WishlistChange> {
    if (!Types.ObjectId.isValid(id)) return { found: false, changed: false };
    return wishlistChange(await this.model.updateOne({ _id: id }, { $addToSet: { wishlist: productId } }));
  }

  /** Removes the product from the wishlist in place: `changed` is false when it was not there. */
  async removeFromWishlist(id: string, productId: string): Promise<WishlistChange> {
    if (!Types.ObjectId.isValid(id)) return { found: false, changed: false };
    return wishlistChange(await this.model.updateOne({ _id: id }, { $pull: { wishlist: productId } }));
  }
}

export interface WishlistChange {
  found: boolean;
  changed: boolean;
}

const wishlistChange = ({ matchedCount, modifiedCount }: { matchedCount: number; modifiedCount: number }): WishlistChange => ({
  found: matchedCount > 0,
  changed: modifiedCount > 0,
});
