import {
  ConflictError,
  KeyedMutex,
  NotFoundError,
  type CatalogueReplica,
  type Line,
  type Outbox,
  type LineProduct,
} from '@shop/common';
import type { CartRepository } from '../database/cart-repository';
import { announceCart } from './cart-events';
import { lineProduct } from './pricing';

export interface CartView {
  customerId: string;
  items: Line[];
}

const MAX_ATTEMPTS = 5;

/** The cart: set and remove lines, priced from the catalogue replica; every change is announced. */
export class Carts {
  // Two changes of one cart in this process run one after the other, so neither is lost.
  private readonly perCustomer = new KeyedMutex();

  constructor(
    private readonly carts: CartRepository,
    private readonly catalogue: CatalogueReplica,
    private readonly outbox: Outbox,
  ) {}

  async getCart(customerId: string): Promise<CartView> {
    const cart = await this.carts.find(customerId);
    return { customerId, items: await this.reprice(cart.items) };
  }

  /** Sets how many of a product the cart holds (not adds to it). */
  async setQuantity(customerId: string, productId: string, unit: number): Promise<Line> {
    const product = await this.catalogue.find(productId);
    if (!product) throw new NotFoundError('No product with this id', 'PRODUCT_NOT_FOUND');
    if (!product.available) throw new ConflictError('This product is not available', 'PRODUCT_UNAVAILABLE');
    const line: Line = { product: lineProduct(product), unit };
    await this.change(customerId, (items) => {
      const index = items.findIndex((item) => item.product._id === productId);
      return index === -1 ? [...items, line] : items.map((item, i) => (i === index ? line : item));
    });
    return line;
  }

  /** Removing a product that is not in the cart changes nothing and still succeeds. */
  async removeItem(customerId: string, productId: string): Promise<{ product: LineProduct; unit: 0 }> {
    const inCart = (await this.carts.find(customerId)).items.find((item) => item.product._id === productId);
    // A product deleted from the catalogue can still be removed from a cart.
    const known = await this.catalogue.findIncludingDeleted(productId);
    if (!inCart && !known) throw new NotFoundError('No product with this id', 'PRODUCT_NOT_FOUND');
    await this.change(customerId, (items) => items.filter((item) => item.product._id !== productId));
    return { product: known ? lineProduct(known) : inCart!.product, unit: 0 };
  }

  private async change(customerId: string, edit: (items: Line[]) => Line[]): Promise<void> {
    await this.perCustomer.run(customerId, async () => {
      // Another instance may change the cart at the same time: re-read and retry on a version clash.
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
        const cart = await this.carts.find(customerId);
        const items = edit(cart.items);
        if (JSON.stringify(items) === JSON.stringify(cart.items)) return;
        const version = await this.carts.replaceItems(customerId, cart.version, items);
        if (version === undefined) continue;
        await announceCart(this.outbox, this.carts, customerId, items, version);
        return;
      }
      throw new ConflictError('The cart was changed at the same time; try again', 'CONCURRENT_CHANGE');
    });
  }

  /** Announces carts whose change a crash left unannounced (at start and periodically). */
  async announcePending(): Promise<number> {
    const pending = await this.carts.findUnannounced();
    for (const cart of pending) await announceCart(this.outbox, this.carts, cart._id, cart.items, cart.version);
    return pending.length;
  }

  /** Lines at the replica's current price; products gone from the catalogue are left out. */
  private async reprice(items: Line[]): Promise<Line[]> {
    const products = new Map((await this.catalogue.findMany(items.map((item) => item.product._id))).map((p) => [p._id, p]));
    return items.flatMap((item) => {
      const product = products.get(item.product._id);
      return product ? [{ product: lineProduct(product), unit: item.unit }] : [];
    });
  }
}
