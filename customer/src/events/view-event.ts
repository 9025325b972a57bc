import type { ViewChange } from '../domain/customer-view';

/** A consumed event that changes a customer's view: its type, and what its data changes. */
export interface ViewEvent {
  type: string;
  toChange: (data: unknown) => ViewChange;
}
