import { createEvent, NotFoundError, toPublicProduct, WishlistEvents, currentRequestId, type CatalogueReplica, type Outbox, type PublicProduct } from '@shop/common';
import type { CustomerRepository } from '../database/customer-repository';
import type { CustomerViewRepository } from '../database/customer-view-repository';
import type { Address, Customer } from '../database/models/customer';
import type { CustomerView } from '../database/models/customer-view';

export type NewAddress = Omit<Address, '_id'>;

/** What /customer/profile and /customer/shoping-details answer: never a password hash. */
export interface CustomerProfile {
  _id: string;
  email: string;
  phone: string;
  role: string;
  address: Address[];
  wishlist: PublicProduct[];
  cart: CustomerView['cart'];
  orders: CustomerView['orders'];
}

const SOURCE = 'customer';

/** The customer's profile, addresses and wishlist (commands), and the assembled view (query). */
export class Profiles {
  constructor(
    private readonly customers: CustomerRepository,
    private readonly views: CustomerViewRepository,
    private readonly catalogue: CatalogueReplica,
    private readonly outbox: Outbox,
  ) {}

  async getProfile(customerId: string): Promise<CustomerProfile> {
    const customer = await this.requireCustomer(customerId);
    const [wishlist, view] = await Promise.all([this.wishlistProducts(customer), this.views.find(customerId)]);
    return {
      _id: customerId,
      email: customer.email,
      phone: customer.phone,
      role: customer.role,
      address: customer.address,
      wishlist,
      cart: view.cart,
      // Newest first, as the order history reads.
      orders: [...view.orders].sort((a, b) => new Date(b.date).getTime() - new Date(a.date).getTime()),
    };
  }

  async addAddress(customerId: string, address: NewAddress): Promise<CustomerProfile> {
    const updated = await this.customers.addAddress(customerId, address);
    if (!updated) throw new NotFoundError('No such customer', 'CUSTOMER_NOT_FOUND');
    return this.getProfile(customerId);
  }

  async getWishlist(customerId: string): Promise<PublicProduct[]> {
    return this.wishlistProducts(await this.requireCustomer(customerId));
  }

  /** Adds a product the catalogue knows; adding it twice keeps one entry, announced once. */
  async addToWishlist(customerId: string, productId: string): Promise<PublicProduct> {
    const product = await this.requireProduct(productId);
    const { found, changed } = await this.customers.addToWishlist(customerId, productId);
    if (!found) throw new NotFoundError('No such customer', 'CUSTOMER_NOT_FOUND');
    if (changed) await this.announce(WishlistEvents.itemAdded, customerId, productId);
    return toPublicProduct(product);
  }

  /** Removing a product that is not in the wishlist changes nothing and still succeeds. */
  async removeFromWishlist(customerId: string, productId: string): Promise<PublicProduct> {
    const [product, { found, changed }] = await Promise.all([this.catalogue.findIncludingDeleted(productId), this.customers.removeFromWishlist(customerId, productId)]);
    if (!found) throw new NotFoundError('No such customer', 'CUSTOMER_NOT_FOUND');
    if (changed) await this.announce(WishlistEvents.itemRemoved, customerId, productId);
    else if (!product) throw new NotFoundError('No product with this id', 'PRODUCT_NOT_FOUND');
    return product ? toPublicProduct(product) : ({ _id: productId } as PublicProduct);
  }

  private async wishlistProducts(customer: Customer): Promise<PublicProduct[]> {
    const products = new Map((await this.catalogue.findMany(customer.wishlist)).map((p) => [p._id, toPublicProduct(p)]));
    return customer.wishlist.flatMap((id) => products.get(id) ?? []);
  }

  private async requireCustomer(customerId: string): Promise<Customer> {
    const customer = await this.customers.findById(customerId);
    if (!customer) throw new NotFoundError('No such customer', 'CUSTOMER_NOT_FOUND');
    return customer;
  }

  private async requireProduct(productId: string) {
    const product = await this.catalogue.find(productId);
    if (!product) throw new NotFoundError('No product with this id', 'PRODUCT_NOT_FOUND');
    return product;
  }

  private async announce(type: string, customerId: string, productId: string): Promise<void> {
    await this.outbox.add(createEvent({ type, data: { customerId, productId }, source: SOURCE, correlationId: currentRequestId() }));
  }
}
