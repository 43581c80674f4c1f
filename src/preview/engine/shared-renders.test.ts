import { describe, expect, it, vi } from 'vitest';
import { ReelforgeError } from '../../errors.js';
import { CircuitBreaker } from './breaker.js';
import { cancelled, SharedRenders } from './shared-renders.js';
import type { PoolReply } from './worker-pool.js';

const reply: PoolReply = { frames: [], renderMs: 1 };

/** A render that finishes when told to, or rejects as the pool does when dropped while queued. */
function controllable() {
  let finish: (r: PoolReply) => void = () => undefined;
  const start = vi.fn(
    (signal: AbortSignal) =>
      new Promise<PoolReply>((resolve, reject) => {
        finish = resolve;
        signal.addEventListener('abort', () => reject(cancelled()));
      }),
  );
  return { start, finish: (r: PoolReply) => finish(r) };
}

function make(threshold = 2) {
  const breaker = new CircuitBreaker({ failureThreshold: threshold, openMs: 1000, now: () => 0 });
  const renders = new SharedRenders(
    breaker,
    () => new ReelforgeError('PREVIEW_UNAVAILABLE', 'breaker open', { status: 503 }),
  );
  return { breaker, renders };
}

describe('SharedRenders', () => {
  it('starts one render for concurrent requests of the same key and hands each the reply', async () => {
    const { renders, breaker } = make();
    const r = controllable();
    const onReply = vi.fn();
    const run = { key: 'k', start: r.start, timeoutMs: 10_000, onReply };
    const a = renders.wait(run);
    const b = renders.wait(run);
    expect(r.start).toHaveBeenCalledTimes(1);
    r.finish(reply);
    await expect(Promise.all([a, b])).resolves.toEqual([reply, reply]);
    expect(onReply).toHaveBeenCalledTimes(1);
    expect(renders.size).toBe(0);
    expect(breaker.stats().failures).toBe(0);
  });

  it('a timeout fails every waiter once for the breaker; the late reply still arrives', async () => {
    const { renders, breaker } = make();
    const r = controllable();
    const onReply = vi.fn();
    const run = { key: 'k', start: r.start, timeoutMs: 5, onReply };
    const both = Promise.allSettled([renders.wait(run), renders.wait(run)]);
    const [a, b] = await both;
    for (const x of [a, b])
      expect(x).toMatchObject({ status: 'rejected', reason: { code: 'PREVIEW_TIMEOUT' } });
    expect(breaker.stats().failures).toBe(1);
    r.finish(reply);
    await vi.waitFor(() => expect(onReply).toHaveBeenCalledWith(reply));
  });

  it('drops the render only when every waiter is stale, without counting a failure', async () => {
    const { renders, breaker } = make();
    const r = controllable();
    const run = { key: 'k', start: r.start, timeoutMs: 10_000, onReply: () => undefined };
    const c1 = new AbortController();
    const c2 = new AbortController();
    const a = renders.wait(run, c1.signal);
    const b = renders.wait(run, c2.signal);
    const signal = r.start.mock.calls[0]![0];
    c1.abort();
    await expect(a).rejects.toMatchObject({ code: 'RENDER_CANCELLED' });
    expect(signal.aborted).toBe(false);
    c2.abort();
    await expect(b).rejects.toMatchObject({ code: 'RENDER_CANCELLED' });
    expect(signal.aborted).toBe(true);
    await vi.waitFor(() => expect(renders.size).toBe(0));
    expect(breaker.stats().failures).toBe(0);
    // A later request starts afresh.
    const again = renders.wait(run);
    expect(r.start).toHaveBeenCalledTimes(2);
    r.finish(reply);
    await expect(again).resolves.toBe(reply);
  });

  it('fails fast while the breaker is open, without starting anything', async () => {
    const { renders, breaker } = make(1);
    breaker.failure();
    const start = vi.fn();
    await expect(
      renders.wait({ key: 'k', start, timeoutMs: 10, onReply: () => undefined }),
    ).rejects.toMatchObject({
      code: 'PREVIEW_UNAVAILABLE',
    });
    expect(start).not.toHaveBeenCalled();
  });

  it('an already aborted request starts nothing', async () => {
    const { renders } = make();
    const start = vi.fn();
    await expect(
      renders.wait({ key: 'k', start, timeoutMs: 10, onReply: () => undefined }, AbortSignal.abort()),
    ).rejects.toMatchObject({ code: 'RENDER_CANCELLED' });
    expect(start).not.toHaveBeenCalled();
  });
});
