import { CatalogueEvents, createEvent, orderEventId, StockEvents, type OrderCancelled, type OrderPlaced, type Outbox } from '@shop/common';
import type { ProductRepository } from '../database/product-repository';
import type { StockReservationRepository } from '../database/stock-reservation-repository';
import type { StockReservation } from '../database/models/stock-reservation';
import type { Product } from '../database/models/product';
import { demandOf, keepsMarkedStock, refusal, stepOnCancelled, type SettledStatus, type StockLine, type Verdict } from '../domain/stock';
import type { CatalogueCommands } from './catalogue-commands';

const SOURCE = 'products';

/** The products whose stock a step changed, each at its latest version: what the catalogue announces. */
class ChangedProducts {
  private readonly latest = new Map<string, Product>();

  add(product: Product | null): void {
    if (!product) return;
    const id = product._id.toString();
    if ((this.latest.get(id)?.version ?? 0) < product.version) this.latest.set(id, product);
  }

  all(): Product[] {
    return [...this.latest.values()];
  }
}

/**
 * The stock step of the order saga: an order takes the stock of every line or of none, and a
 * cancelled order gives back what it took. Every write is a guarded single-document update, so
 * orders race safely for the same stock, and a redelivery (or a crash at any point) changes
 * nothing twice. A reservation's status is stored before the marks on its products are cleared,
 * so a redelivery after that is decided by the reservation, never by a missing mark.
 */
export class StockReservations {
  constructor(
    private readonly products: ProductRepository,
    private readonly reservations: StockReservationRepository,
    private readonly catalogue: CatalogueCommands,
    private readonly outbox: Outbox,
  ) {}

  async reserveForOrder(order: OrderPlaced, correlationId?: string): Promise<void> {
    const reservation = await this.reservations.open({
      _id: order.orderId,
      customerId: order.customerId,
      lines: demandOf(order.items),
      status: 'pending',
      createdAt: new Date(),
    });
    const changed = new ChangedProducts();
    // Undecided (a first delivery, or one a crash interrupted): take the stock. Else the stored status stands.
    const { status, reason } = reservation.status === 'pending' ? await this.decide(reservation, changed) : { status: reservation.status, reason: reservation.reason };
    await this.settleMarks(reservation, status, changed);
    await this.announceProducts(changed);
    if (status === 'released') await this.announceReleased(order, correlationId);
    else await this.announceVerdict(order, status, reason, correlationId);
  }

  async releaseForOrder(cancelled: OrderCancelled, correlationId?: string): Promise<void> {
    const stored = await this.reservations.findByOrderId(cancelled.orderId);
    const changed = new ChangedProducts();
    if (stored) await this.release(stored, changed);
    else await this.recordRelease(cancelled);
    await this.announceProducts(changed);
    await this.announceReleased(cancelled, correlationId);
  }

  /** Takes the lines one by one; at the first that cannot be taken, the order is rejected. */
  private async decide(reservation: StockReservation, changed: ChangedProducts): Promise<{ status: Verdict; reason?: string }> {
    for (const line of reservation.lines) {
      const reason = await this.takeLine(reservation._id, line, changed);
      if (reason !== undefined) {
        await this.moveOrRetry(reservation, 'rejected', reason);
        return { status: 'rejected', reason };
      }
    }
    await this.moveOrRetry(reservation, 'reserved');
    return { status: 'reserved' };
  }

  /** Takes one line for the order: undefined once it is taken (now or by an earlier delivery), else why not. */
  private async takeLine(orderId: string, line: StockLine, changed: ChangedProducts): Promise<string | undefined> {
    const taken = await this.products.takeLine(orderId, line);
    changed.add(taken);
    return taken ? undefined : refusal(orderId, line, await this.products.findById(line.productId));
  }

  private async release(reservation: StockReservation, changed: ChangedProducts): Promise<void> {
    const step = stepOnCancelled(reservation.status);
    if (step === 'return-all-lines') await this.returnAllLines(reservation, changed);
    if (step !== 'repeat-release') await this.moveOrRetry(reservation, 'released');
    await this.settleMarks(reservation, 'released', changed);
  }

  private async returnAllLines(reservation: StockReservation, changed: ChangedProducts): Promise<void> {
    for (const line of reservation.lines) changed.add(await this.products.returnReservedLine(reservation._id, line));
  }

  /** No reservation yet: one recorded as released keeps the order, if it comes, from taking stock. */
  private async recordRelease(cancelled: OrderCancelled): Promise<void> {
    const release = { _id: cancelled.orderId, customerId: cancelled.customerId, lines: demandOf(cancelled.items), status: 'released' as const, createdAt: new Date() };
    // Lost to an order.placed stored meanwhile: the retry sees its reservation.
    if (!(await this.reservations.insert(release))) throw new Error(`order ${cancelled.orderId} got a reservation meanwhile; retrying`);
  }

  /** A status move that finds another status was made by a concurrent delivery: the retry follows that one. */
  private async moveOrRetry(reservation: StockReservation, to: SettledStatus, reason?: string): Promise<void> {
    if (!(await this.reservations.move(reservation._id, reservation.status, to, reason))) {
      throw new Error(`the reservation of order ${reservation._id} moved from ${reservation.status} meanwhile; retrying`);
    }
  }

  /**
   * Clears the order's marks once its status is stored: a reserved order keeps the marked stock,
   * any other gives it back (lines taken before the order was rejected or cancelled).
   */
  private async settleMarks(reservation: StockReservation, status: SettledStatus, changed: ChangedProducts): Promise<void> {
    const orderId = reservation._id;
    await Promise.all(
      reservation.lines.map(async (line) => {
        if (keepsMarkedStock(status)) return this.products.clearMark('reservedFor', orderId, line.productId);
        changed.add(await this.products.giveBackLine(orderId, line));
        if (status === 'released') await this.products.clearMark('releasedFor', orderId, line.productId);
      }),
    );
  }

  private async announceProducts(changed: ChangedProducts): Promise<void> {
    for (const product of changed.all()) await this.catalogue.announce(CatalogueEvents.productUpdated, product);
  }

  private async announceVerdict(order: OrderPlaced, verdict: Verdict, reason: string | undefined, correlationId?: string): Promise<void> {
    const { orderId, customerId } = order;
    const [type, data] =
      verdict === 'reserved' ? [StockEvents.stockReserved, { orderId, customerId }] : [StockEvents.stockRejected, { orderId, customerId, reason: reason ?? 'rejected' }];
    await this.outbox.add(createEvent({ type, id: orderEventId(type, orderId), data, source: SOURCE, correlationId }));
  }

  private async announceReleased({ orderId, customerId }: { orderId: string; customerId: string }, correlationId?: string): Promise<void> {
    const type = StockEvents.stockReleased;
    await this.outbox.add(createEvent({ type, id: orderEventId(type, orderId), data: { orderId, customerId }, source: SOURCE, correlationId }));
  }
}
