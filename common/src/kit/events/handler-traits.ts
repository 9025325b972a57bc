import type { EventEnvelope } from './envelope';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type EventHandler = (event: EventEnvelope<any>) => Promise<void>;
export type EventHandlers = Record<string, EventHandler>;

/** Names the document an event changes, e.g. `customer-view:<customer id>`. */
export type EventKey = (event: EventEnvelope) => string;

/**
 * Events that each change one document, applied together: the consumer hands `apply` every
 * event of one key that a batch holds, in the order they came, to be read and written once.
 */
export interface EventGroup {
  key: EventKey;
  /** Must be idempotent by the document's own state (a version, an id, a status). */
  apply: (events: EventEnvelope[]) => Promise<void>;
}

/** What a handler declares about itself, and so how the consumer plans and applies its events. */
export interface HandlerTraits {
  /** Its effect carries its own proof of having been applied: no processed_events record. */
  idempotent: boolean;
  /** The document it changes; without one it may touch anything and runs alone. */
  key?: EventKey;
  /** Consecutive events of one key and this group are applied by one call. */
  group?: EventGroup;
}

const selfIdempotent = new WeakSet<EventHandler>();
const keys = new WeakMap<EventHandler, EventKey>();
const groups = new WeakMap<EventHandler, EventGroup>();

export function traitsOf(handler: EventHandler): HandlerTraits {
  return { idempotent: selfIdempotent.has(handler), key: keys.get(handler), group: groups.get(handler) };
}

/**
 * Marks a handler whose effect carries its own proof of having been applied (a version it
 * compares, an id it looks for, a status it sets), so that applying it twice changes nothing by
 * itself. The consumer then skips the processed_events read and write for it.
 */
export function idempotentHandler(handler: EventHandler): EventHandler {
  selfIdempotent.add(handler);
  return handler;
}

/**
 * Declares which document a handler changes. Within a batch, events with the same key (of any
 * type) are applied in the order they came, one at a time; events with different keys are applied
 * side by side. A handler without a key may touch anything: it runs alone in its batch, after what
 * came before it and before what comes after. Another instance may apply the same key meanwhile.
 */
export function keyedHandler(key: EventKey, handler: EventHandler): EventHandler {
  keys.set(handler, key);
  return handler;
}

/** One handler for every event type of a group (register it under each type). */
export function groupedHandler(group: EventGroup): EventHandler {
  const handler: EventHandler = (event) => group.apply([event]);
  groups.set(handler, group);
  return idempotentHandler(keyedHandler(group.key, handler));
}
