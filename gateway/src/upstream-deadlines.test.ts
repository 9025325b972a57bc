import { UpstreamDeadlines } from './upstream-deadlines';

const aborted = (signal: AbortSignal): Promise<number> => new Promise((resolve) => signal.addEventListener('abort', () => resolve(Date.now()), { once: true }));

describe('upstream deadlines', () => {
  test('When requests start within one slice, then they share a signal that aborts once the last of them had the whole timeout', async () => {
    const deadlines = new UpstreamDeadlines(200, 50);
    const started = Date.now();
    const first = deadlines.signal(started);
    expect(deadlines.signal(started + 49)).toBe(first);
    const next = deadlines.signal(started + 50);
    expect(next).not.toBe(first);
    const at = await aborted(first);
    expect(at - started).toBeGreaterThanOrEqual(249);
    expect(first.reason).toMatchObject({ name: 'TimeoutError' });
    expect(next.aborted).toBe(false);
  });
});
