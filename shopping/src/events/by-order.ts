import { idempotentHandler, keyedHandler, type EventEnvelope, type EventHandler } from '@shop/common';

/**
 * A saga event that moves one order with a guarded update: keyed by the order, so one order's
 * events of a batch are applied in the order they came; idempotent by the order's status.
 */
export function orderMove(apply: (event: EventEnvelope) => Promise<void>): EventHandler {
  return idempotentHandler(keyedHandler((event) => `order:${String((event.data as { orderId?: unknown }).orderId)}`, apply));
}
