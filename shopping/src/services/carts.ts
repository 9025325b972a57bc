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
import { cartUpdatedEvent } from './cart-events';
import { lineProduct } from './pricing';

/** The cart as the original answered it: a document keyed by its customer. */
export interface CartView {
  _id: string;
  customerId: string;
  items: Line[];
}

const MAX_ATTEMPTS = 5;
/** How long a change may take before the catch-up announces the cart in its place. */
const CHANGE_GRACE_MS = 5000;

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
    return { _id: cart._id, customerId, items: await this.reprice(cart.items) };
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

  /**
   * Changes the cart and announces it. A note that the cart may have a change to announce is
   * written beside the first read and removed once cart.updated is in the outbox (or nothing
   * changed); a crash in between leaves the note, and the catch-up announces the cart.
   */
  private async change(customerId: string, edit: (items: Line[]) => Line[]): Promise<void> {
    await this.perCustomer.run(customerId, async () => {
      const [read, note] = await Promise.all([this.carts.find(customerId), this.carts.markToAnnounce(customerId)]);
      // Another instance may change the cart at the same time: re-read and retry on a version clash.
      let cart = read;
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
        if (attempt > 1) cart = await this.carts.find(customerId);
        const items = edit(cart.items);
        const version = JSON.stringify(items) === JSON.stringify(cart.items) ? cart.version : await this.carts.replaceItems(customerId, cart.version, items);
        if (version === undefined) continue;
        if (version !== cart.version) await this.outbox.add(cartUpdatedEvent(customerId, items, version));
        await this.carts.announced(note);
        return;
      }
      await this.carts.announced(note);
      throw new ConflictError('The cart was changed at the same time; try again', 'CONCURRENT_CHANGE');
    });
  }

  /** Announces carts whose change a crash left unannounced (at start and periodically): their state now. */
  async announcePending(graceMs = CHANGE_GRACE_MS): Promise<number> {
    const due = await this.carts.findDueBefore(new Date(Date.now() - graceMs));
    for (const customerId of new Set(due.map((note) => note.customerId))) {
      const cart = await this.carts.find(customerId);
      if (cart.version > 0) await this.outbox.add(cartUpdatedEvent(customerId, cart.items, cart.version));
    }
    for (const note of due) await this.carts.announced(note._id);
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
