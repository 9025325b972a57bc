import type { CartUpdated, OrderPlaced, StockRejected, StockReserved } from '@shop/common';
import type { CustomerViewRepository } from '../database/customer-view-repository';

/**
 * Keeps the customer view current from shopping's and products' events. Each change is
 * idempotent (a cart applies only if newer, an order is added once, a status is set), so an
 * event delivered twice leaves the view as once.
 */
export class CustomerViewProjection {
  constructor(private readonly views: CustomerViewRepository) {}

  async cartUpdated({ customerId, items, version }: CartUpdated): Promise<void> {
    const view = await this.views.find(customerId);
    if (version <= view.cartVersion) return;
    await this.views.save({ ...view, cart: items, cartVersion: version });
  }

  async orderPlaced(order: OrderPlaced): Promise<void> {
    const view = await this.views.find(order.customerId);
    if (view.orders.some((existing) => existing.orderId === order.orderId)) return;
    view.orders.push({
      _id: order.orderId,
      orderId: order.orderId,
      amount: order.amount,
      status: order.status,
      items: order.items,
      txnNumber: order.txnNumber,
      date: new Date(order.createdAt),
    });
    await this.views.save(view);
  }

  async stockReserved({ customerId, orderId }: StockReserved): Promise<void> {
    await this.setStatus(customerId, orderId, 'confirmed');
  }

  async stockRejected({ customerId, orderId, reason }: StockRejected): Promise<void> {
    await this.setStatus(customerId, orderId, 'rejected', reason);
  }

  private async setStatus(customerId: string, orderId: string, status: 'confirmed' | 'rejected', reason?: string): Promise<void> {
    const view = await this.views.find(customerId);
    const order = view.orders.find((existing) => existing.orderId === orderId);
    // The stock decision can overtake order.placed on the wire only if events were re-ordered;
    // throwing makes the consumer retry until the order is in the view.
    if (!order) throw new Error(`order ${orderId} is not in the view yet`);
    if (order.status === status) return;
    order.status = status;
    if (reason) order.reason = reason;
    await this.views.save(view);
  }
}
