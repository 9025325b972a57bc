import { z } from 'zod';
import { NotFoundError } from '../errors/app-errors';
import { outcomeOfFailure, outcomeOfVerdict, planBatch, type BatchMessage, type Step } from './batch-plan';
import { createEvent } from './envelope';
import { groupedHandler, idempotentHandler, keyedHandler, traitsOf, type EventHandler, type EventHandlers } from './handler-traits';

// A new function each time: the traits are marked on the function itself.
const noop = (): EventHandler => async () => undefined;
const groupApply = async (): Promise<void> => undefined;
const unkeyed = noop();

/** A message carrying an event of `type` with `data`, its id given or made up. */
function message(type: string, data: Record<string, unknown> = {}, { id, source = 'test', attempt = 1 }: { id?: string; source?: string; attempt?: number } = {}): BatchMessage {
  return { body: JSON.stringify(createEvent({ type, source, data, id })), attempt };
}

const byCustomer = keyedHandler((event) => `customer:${z.object({ customerId: z.string() }).parse(event.data).customerId}`, noop());
const view = groupedHandler({ key: (event) => `view:${String(event.data.customerId)}`, apply: groupApply });
const handlers: EventHandlers = {
  'cart.updated': view,
  'order.placed': view,
  'stock.reserved': byCustomer,
  'catalogue.sync-requested': unkeyed,
};

/** A step as ids of its events: 'alone' with one id, or each key's runs of ids. */
function shape(step: Step): unknown {
  if (step.kind === 'alone') return { alone: step.event.event.type };
  return Object.fromEntries(step.keys.map(({ key, runs }) => [key, runs.map((run) => run.events.map(({ index }) => index))]));
}

describe('the batch planner', () => {
  test('When a message is not an envelope, then it is dead-lettered and the rest is planned', () => {
    const plan = planBatch(
      [{ body: '{not json', attempt: 1 }, { body: JSON.stringify({ id: 'x', type: 'a.b' }), attempt: 1 }, message('stock.reserved', { customerId: 'c' })],
      handlers,
    );
    expect([...plan.verdicts].map(([index, verdict]) => [index, verdict.kind, outcomeOfVerdict(verdict)])).toEqual([
      [0, 'malformed', 'dead-letter'],
      [1, 'malformed', 'dead-letter'],
    ]);
    expect(plan.steps.map(shape)).toEqual([{ 'customer:c': [[2]] }]);
  });

  test('When an event comes from a source that may not send it, then it is dead-lettered unapplied', () => {
    const mayPublish = (source: string, type: string): boolean => source === 'products' && type === 'stock.reserved';
    const plan = planBatch(
      [message('stock.reserved', { customerId: 'c' }, { source: 'shopping' }), message('stock.reserved', { customerId: 'c' }, { source: 'products' })],
      handlers,
      mayPublish,
    );
    const verdict = plan.verdicts.get(0)!;
    expect(verdict.kind).toBe('forbidden');
    expect(outcomeOfVerdict(verdict)).toBe('dead-letter');
    expect(plan.steps.map(shape)).toEqual([{ 'customer:c': [[1]] }]);
  });

  test('When an event names no key its handler can read, then it is dead-lettered', () => {
    const plan = planBatch([message('stock.reserved', { nobody: true })], handlers);
    expect(plan.verdicts.get(0)?.kind).toBe('without-key');
    expect(outcomeOfVerdict(plan.verdicts.get(0)!)).toBe('dead-letter');
    expect(plan.steps).toEqual([]);
  });

  test('When an event has no handler, then it is acknowledged unapplied', () => {
    const plan = planBatch([message('wishlist.added')], handlers);
    expect(plan.verdicts.get(0)?.kind).toBe('unhandled');
    expect(outcomeOfVerdict(plan.verdicts.get(0)!)).toBe('ack');
  });

  test('When an event comes twice in one batch, then the second copy is acknowledged as a duplicate and the first is planned', () => {
    const plan = planBatch([message('stock.reserved', { customerId: 'c' }, { id: 'e1' }), message('stock.reserved', { customerId: 'c' }, { id: 'e1' })], handlers);
    expect(plan.verdicts.get(1)?.kind).toBe('duplicate');
    expect(outcomeOfVerdict(plan.verdicts.get(1)!)).toBe('ack');
    expect(plan.steps.map(shape)).toEqual([{ 'customer:c': [[0]] }]);
  });

  test("When keyed events of several keys come, then each key gets its events in order, a group's consecutive events in one run, the others alone", () => {
    const plan = planBatch(
      [
        message('cart.updated', { customerId: 'a' }),
        message('stock.reserved', { customerId: 'a' }),
        message('order.placed', { customerId: 'a' }),
        message('order.placed', { customerId: 'a' }),
        message('cart.updated', { customerId: 'b' }),
        message('stock.reserved', { customerId: 'a' }),
        message('stock.reserved', { customerId: 'a' }),
      ],
      handlers,
    );
    expect(plan.steps.map(shape)).toEqual([{ 'view:a': [[0, 2, 3]], 'customer:a': [[1], [5], [6]], 'view:b': [[4]] }]);
  });

  test('When a handler without a key comes between keyed events, then it is a step of its own between theirs', () => {
    const plan = planBatch(
      [
        message('stock.reserved', { customerId: 'a' }),
        message('catalogue.sync-requested'),
        message('stock.reserved', { customerId: 'a' }),
        message('cart.updated', { customerId: 'b' }),
      ],
      handlers,
    );
    expect(plan.steps.map(shape)).toEqual([{ 'customer:a': [[0]] }, { alone: 'catalogue.sync-requested' }, { 'customer:a': [[2]], 'view:b': [[3]] }]);
  });

  test('When a message is a retry, then its event is planned with that attempt', () => {
    const plan = planBatch([message('catalogue.sync-requested', {}, { attempt: 3 })], handlers);
    expect(plan.steps[0]).toMatchObject({ kind: 'alone', event: { index: 0, attempt: 3 } });
  });
});

describe('what a handler declares', () => {
  test('When handlers are marked, then their traits say so', () => {
    expect(traitsOf(unkeyed)).toEqual({ idempotent: false, key: undefined, group: undefined });
    expect(traitsOf(idempotentHandler(noop())).idempotent).toBe(true);
    expect(traitsOf(byCustomer)).toMatchObject({ idempotent: false, group: undefined });
    expect(traitsOf(byCustomer).key).toBeInstanceOf(Function);
    expect(traitsOf(view)).toMatchObject({ idempotent: true, group: { apply: groupApply } });
  });
});

describe('what becomes of a failed event', () => {
  const policy = { maxAttempts: 5, retryDelayMs: 100 };

  test('When a handler fails, then the event is retried after 100 ms doubled per attempt, and dead-lettered at the last attempt', () => {
    expect([1, 2, 3, 4].map((attempt) => outcomeOfFailure(new Error('transient'), attempt, policy))).toEqual([
      { retryInMs: 100 },
      { retryInMs: 200 },
      { retryInMs: 400 },
      { retryInMs: 800 },
    ]);
    expect(outcomeOfFailure(new Error('transient'), 5, policy)).toBe('dead-letter');
  });

  test('When the event itself is wrong (its data does not parse, or a 4xx), then it is dead-lettered at once', () => {
    const parseError = (() => {
      try {
        z.object({ n: z.number() }).parse({});
      } catch (error) {
        return error;
      }
    })();
    expect(outcomeOfFailure(parseError, 1, policy)).toBe('dead-letter');
    expect(outcomeOfFailure(new NotFoundError('no such thing'), 1, policy)).toBe('dead-letter');
  });
});
