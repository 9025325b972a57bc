import { groupedHandler, type CatalogueReplica, type EventEnvelope, type EventHandlers } from '@shop/common';
import type { CustomerViewRepository } from '../database/customer-view-repository';
import type { ViewChange } from '../domain/customer-view';
import { applyViewChanges } from '../services/commands/apply-view-changes';
import { cartUpdated } from './cart-updated';
import { orderCancelled } from './order-cancelled';
import { orderPlaced } from './order-placed';
import { stockRejected } from './stock-rejected';
import { stockReleased } from './stock-released';
import { stockReserved } from './stock-reserved';
import type { ViewEvent } from './view-event';

const VIEW_EVENTS: readonly ViewEvent[] = [cartUpdated, orderPlaced, stockReserved, stockRejected, orderCancelled, stockReleased];
const toChangeByType = new Map(VIEW_EVENTS.map((viewEvent) => [viewEvent.type, viewEvent.toChange]));

function viewChange(event: EventEnvelope): ViewChange {
  const toChange = toChangeByType.get(event.type);
  if (!toChange) throw new Error(`${event.type} does not change the customer view`);
  return toChange(event.data);
}

export interface CustomerEventsDependencies {
  views: CustomerViewRepository;
  catalogue: CatalogueReplica;
}

/** What customer does with the events it consumes: the catalogue's keep its replica current, the others its customer view. */
export function customerEventHandlers({ views, catalogue }: CustomerEventsDependencies): EventHandlers {
  // A customer's events of one batch change the view with one read and one write; the view's
  // changes are idempotent by its own state (see domain/customer-view.ts).
  const customerView = groupedHandler({
    key: (event) => `customer-view:${viewChange(event).change.customerId}`,
    apply: async (events) => {
      const changes = events.map(viewChange);
      await applyViewChanges(views, changes[0]!.change.customerId, changes);
    },
  });
  return { ...catalogue.handlers(), ...Object.fromEntries(VIEW_EVENTS.map(({ type }) => [type, customerView])) };
}
