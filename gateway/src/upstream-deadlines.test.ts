import { EventEmitter } from 'node:events';
import { UpstreamDeadlines, UpstreamTimeoutError, type WatchedRequest } from './upstream-deadlines';

/** A stand-in upstream request: it records when and with what it was destroyed. */
class FakeRequest extends EventEmitter {
  destroyed?: { at: number; error: unknown };
  private readonly ended = new Promise<number>((resolve) => this.once('destroyed', resolve));

  destroy(error?: Error): this {
    this.destroyed = { at: Date.now(), error };
    this.emit('destroyed', this.destroyed.at);
    return this;
  }

  whenDestroyed(): Promise<number> {
    return this.ended;
  }
}

const watched = (request: FakeRequest): WatchedRequest => request as unknown as WatchedRequest;

describe('upstream deadlines', () => {
  test('When requests start within one slice, then the open ones are destroyed once the last of them had the whole timeout; a closed one and a later slice are not', async () => {
    const deadlines = new UpstreamDeadlines(200, 50);
    const started = Date.now();
    const [first, sameSlice, closed, nextSlice] = [new FakeRequest(), new FakeRequest(), new FakeRequest(), new FakeRequest()];
    deadlines.watch(watched(first), started);
    deadlines.watch(watched(sameSlice), started + 49);
    deadlines.watch(watched(closed), started + 49);
    deadlines.watch(watched(nextSlice), started + 50);
    closed.emit('close');
    const at = await first.whenDestroyed();
    expect(at - started).toBeGreaterThanOrEqual(249);
    expect(first.destroyed?.error).toBeInstanceOf(UpstreamTimeoutError);
    expect(sameSlice.destroyed?.error).toBeInstanceOf(UpstreamTimeoutError);
    expect(closed.destroyed).toBeUndefined();
    expect(nextSlice.destroyed).toBeUndefined();
    nextSlice.emit('close');
  });
});
