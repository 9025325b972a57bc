import { ConflictError, NotFoundError, type CatalogueReplica, type Line, type Outbox, type LineProduct } from '@shop/common';
import type { CartRepository, CartState } from '../database/cart-repository';
import { announceCart } from './cart-events';
import { lineProduct } from './pricing';

/** The cart as the original answered it: a document keyed by its customer. */
export interface CartView {
  _id: string;
  customerId: string;
  items: Line[];
}

/** How long a change may take before the catch-up announces the cart in its place. */
const CHANGE_GRACE_MS = 5000;

/** The cart: set and remove lines, priced from the catalogue replica; every change is announced. */
export class Carts {
  constructor(
    private readonly carts: CartRepository,
    private readonly catalogue: CatalogueReplica,
    private readonly outbox: Outbox,
  ) {}

  async getCart(customerId: string): Promise<CartView> {
    const cart = await this.carts.find(customerId);
    // A cart is stored under its customer's id.
    return { _id: customerId, customerId, items: await this.reprice(cart.items) };
  }

  /** Sets how many of a product the cart holds (not adds to it). */
  async setQuantity(customerId: string, productId: string, unit: number): Promise<Line> {
    const product = await this.catalogue.find(productId);
    if (!product) throw new NotFoundError('No product with this id', 'PRODUCT_NOT_FOUND');
    if (!product.available) throw new ConflictError('This product is not available', 'PRODUCT_UNAVAILABLE');
    const line: Line = { product: lineProduct(product), unit };
    await this.announce(await this.carts.setLine(customerId, line));
    return line;
  }

  /** Removing a product that is not in the cart changes nothing and still succeeds. */
  async removeItem(customerId: string, productId: string): Promise<{ product: LineProduct; unit: 0 }> {
    const [removal, known] = await Promise.all([
      this.carts.removeLine(customerId, productId),
      // A product deleted from the catalogue can still be removed from a cart.
      this.catalogue.findIncludingDeleted(productId),
    ]);
    if (removal) await this.announce(removal.cart);
    else if (!known) throw new NotFoundError('No product with this id', 'PRODUCT_NOT_FOUND');
    return { product: known ? lineProduct(known) : removal!.removed.product, unit: 0 };
  }

  private announce(cart: CartState): Promise<void> {
    return announceCart(this.outbox, this.carts, cart);
  }

  /** Announces carts whose change a crash left unannounced (at start and periodically): their state now. */
  async announcePending(graceMs = CHANGE_GRACE_MS): Promise<number> {
    const due = await this.carts.findUnannouncedBefore(new Date(Date.now() - graceMs));
    for (const cart of due) await this.announce(cart);
    return due.length;
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
