import { ZodError } from 'zod';
import { AppError } from '../errors/app-errors';
import { eventEnvelopeSchema, type EventEnvelope } from './envelope';
import { traitsOf, type EventGroup, type EventHandler, type EventHandlers, type HandlerTraits } from './handler-traits';

/** A message of a batch as the planner sees it: its body and which attempt at it this delivery is. */
export interface BatchMessage {
  body: string;
  /** Retries through the broker so far + 1. */
  attempt: number;
}

/** A message settled without applying anything, and why. */
export type Verdict =
  | { kind: 'malformed' }
  | { kind: 'forbidden'; event: EventEnvelope; error: Error }
  | { kind: 'without-key'; event: EventEnvelope; error: unknown }
  | { kind: 'unhandled'; event: EventEnvelope }
  | { kind: 'duplicate'; event: EventEnvelope };

/** Malformed, forbidden and keyless events are poison; the others need nothing more. */
export const outcomeOfVerdict = (verdict: Verdict): 'ack' | 'dead-letter' => (verdict.kind === 'unhandled' || verdict.kind === 'duplicate' ? 'ack' : 'dead-letter');

/** An event to apply: its place in the batch, its handler with what the handler declares. */
export interface PlannedEvent {
  index: number;
  event: EventEnvelope;
  handler: EventHandler;
  traits: HandlerTraits;
  attempt: number;
}

/** Consecutive events of one key: a group's applied by one call, any other's alone. */
export interface Run {
  group?: EventGroup;
  events: PlannedEvent[];
}

/** One key's events in the order they came, cut into runs. */
export interface KeyPlan {
  key: string;
  runs: Run[];
}

/**
 * What the shell does, in order: an event whose handler has no key runs alone; the keyed events
 * between two such events are applied key by key, the keys side by side.
 */
export type Step = { kind: 'alone'; event: PlannedEvent } | { kind: 'keys'; keys: KeyPlan[] };

export interface BatchPlan {
  /** Messages settled by reading them alone, by their place in the batch. */
  verdicts: Map<number, Verdict>;
  steps: Step[];
}

/** Whether an event's source may send its type. */
export type MayPublish = (source: string, type: string) => boolean;

type Read = { verdict: Verdict } | { planned: PlannedEvent; key?: string };

function read({ body, attempt }: BatchMessage, index: number, handlers: EventHandlers, mayPublish: MayPublish): Read {
  let event: EventEnvelope;
  try {
    event = eventEnvelopeSchema.parse(JSON.parse(body));
  } catch {
    return { verdict: { kind: 'malformed' } };
  }
  if (!mayPublish(event.source, event.type)) {
    return { verdict: { kind: 'forbidden', event, error: new Error(`${event.source} may not publish ${event.type}`) } };
  }
  const handler = handlers[event.type];
  if (!handler) return { verdict: { kind: 'unhandled', event } };
  const traits = traitsOf(handler);
  const planned: PlannedEvent = { index, event, handler, traits, attempt };
  if (!traits.key) return { planned };
  try {
    return { planned, key: traits.key(event) };
  } catch (error) {
    // The key comes from the event's data: an event without one can never be applied.
    return { verdict: { kind: 'without-key', event, error } };
  }
}

/** A key's events cut into runs: consecutive events of one group together, the others alone. */
function runsOf(events: PlannedEvent[]): Run[] {
  const runs: Run[] = [];
  for (const planned of events) {
    const last = runs.at(-1);
    if (planned.traits.group && last?.group === planned.traits.group) last.events.push(planned);
    else runs.push({ group: planned.traits.group, events: [planned] });
  }
  return runs;
}

function keysOf(segment: Array<{ planned: PlannedEvent; key: string }>): KeyPlan[] {
  const byKey = new Map<string, PlannedEvent[]>();
  for (const { planned, key } of segment) {
    const list = byKey.get(key);
    if (list) list.push(planned);
    else byKey.set(key, [planned]);
  }
  return [...byKey].map(([key, events]) => ({ key, runs: runsOf(events) }));
}

/**
 * Plans a batch without applying anything: malformed messages and events whose source may not
 * send them or that name no key are dead-lettered, events without a handler and a second copy of
 * an event in the same batch are acknowledged (the first copy stays wherever it ends: applied, put
 * back, retried or dead-lettered), and the rest become the steps of the apply.
 */
export function planBatch(messages: BatchMessage[], handlers: EventHandlers, mayPublish: MayPublish = () => true): BatchPlan {
  const verdicts = new Map<number, Verdict>();
  const steps: Step[] = [];
  const seen = new Set<string>();
  let segment: Array<{ planned: PlannedEvent; key: string }> = [];
  const closeSegment = (): void => {
    if (segment.length > 0) steps.push({ kind: 'keys', keys: keysOf(segment) });
    segment = [];
  };
  messages.forEach((message, index) => {
    const result = read(message, index, handlers, mayPublish);
    if ('verdict' in result) return void verdicts.set(index, result.verdict);
    const { planned, key } = result;
    if (seen.has(planned.event.id)) return void verdicts.set(index, { kind: 'duplicate', event: planned.event });
    seen.add(planned.event.id);
    if (key !== undefined) return void segment.push({ planned, key });
    closeSegment();
    steps.push({ kind: 'alone', event: planned });
  });
  closeSegment();
  return { verdicts, steps };
}

/** An error no retry can fix: the event itself is wrong. */
export function isPermanent(error: unknown): boolean {
  return error instanceof ZodError || (error instanceof AppError && error.status < 500);
}

export interface RetryPolicy {
  maxAttempts: number;
  /** The wait before the first retry, doubled for each further one. */
  retryDelayMs: number;
}

/** What becomes of an event whose handler failed (not for want of the database): retried through the broker, or dead-lettered. */
export function outcomeOfFailure(error: unknown, attempt: number, { maxAttempts, retryDelayMs }: RetryPolicy): 'dead-letter' | { retryInMs: number } {
  if (isPermanent(error) || attempt >= maxAttempts) return 'dead-letter';
  return { retryInMs: retryDelayMs * 2 ** (attempt - 1) };
}
