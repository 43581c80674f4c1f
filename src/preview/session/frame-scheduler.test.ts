import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Timeline } from '../../timeline/index.js';
import type { FrameResult } from '../engine/index.js';
import { type FrameRequest, FrameScheduler, type FrameSchedulerDeps } from './frame-scheduler.js';

const timeline = {} as Timeline;
const req = (requestId: string, time = 1): FrameRequest => ({
  requestId,
  time,
  quality: 'preview',
  format: 'jpeg',
  encoding: 'binary',
  version: 0,
  timeline,
});
const result = (time: number, degraded?: { reason: string }): FrameResult => ({
  bytes: Buffer.from([1]),
  width: 16,
  height: 9,
  format: 'jpeg',
  quality: 'preview',
  time,
  cacheHit: false,
  renderMs: 1,
  ...(degraded ? { degraded } : {}),
});

/** A render whose promise the test settles by hand, recording the signal it was given. */
function harness(extra: Partial<FrameSchedulerDeps> = {}) {
  const renders: Array<{
    request: FrameRequest;
    signal: AbortSignal;
    resolve(r: FrameResult): void;
    reject(e: unknown): void;
  }> = [];
  const log: string[] = [];
  let buffered = 0;
  const deps: FrameSchedulerDeps = {
    holdAboveBytes: 100,
    bufferedAmount: () => buffered,
    render: (request, signal) =>
      new Promise((resolve, reject) => {
        renders.push({ request, signal, resolve, reject });
      }),
    deliver: (r) => log.push(`frame ${r.requestId}`),
    dropped: (r, reason) => log.push(`dropped ${r.requestId} ${reason}`),
    failed: (r, e) => log.push(`failed ${r.requestId} ${(e as Error).message}`),
    drainPollMs: 5,
    ...extra,
  };
  return {
    scheduler: new FrameScheduler(deps),
    renders,
    log,
    setBuffered: (n: number) => {
      buffered = n;
    },
  };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('FrameScheduler', () => {
  it('lets the latest request win: older ones are aborted and dropped, never queued', async () => {
    const h = harness();
    h.scheduler.request(req('a'));
    h.scheduler.request(req('b'));
    h.scheduler.request(req('c'));
    expect(h.renders.map((r) => r.signal.aborted)).toEqual([true, true, false]);
    h.renders[0]!.resolve(result(1)); // a stale render finishing late is ignored
    h.renders[2]!.resolve(result(1));
    await vi.runAllTimersAsync();
    expect(h.log).toEqual(['dropped a superseded', 'dropped b superseded', 'frame c']);
  });

  it('holds a finished frame while the socket is backed up, and a newer request replaces it', async () => {
    const h = harness();
    h.setBuffered(1_000);
    h.scheduler.request(req('a'));
    h.renders[0]!.resolve(result(1));
    await vi.advanceTimersByTimeAsync(50);
    expect(h.log).toEqual([]);
    expect(h.scheduler.busy).toBe(true);
    h.scheduler.request(req('b'));
    h.renders[1]!.resolve(result(2));
    await vi.advanceTimersByTimeAsync(50);
    expect(h.log).toEqual(['dropped a superseded']);
    h.setBuffered(0);
    await vi.advanceTimersByTimeAsync(10);
    expect(h.log).toEqual(['dropped a superseded', 'frame b']);
    expect(h.scheduler.busy).toBe(false);
  });

  it('reports a failed render to its request only', async () => {
    const h = harness();
    h.scheduler.request(req('a'));
    h.renders[0]!.reject(new Error('boom'));
    await vi.runAllTimersAsync();
    expect(h.log).toEqual(['failed a boom']);
  });

  it('prefetches neighbours after an idle moment, and a new request cancels the prefetch', async () => {
    const prefetched: Array<{ time: number; signal: AbortSignal }> = [];
    const h = harness({
      prefetch: {
        delayMs: 100,
        times: (r) => [r.time + 0.1, r.time - 0.1],
        render: (time, _format, signal) => {
          prefetched.push({ time, signal });
          return new Promise(() => {}); // never finishes: the next request must abort it
        },
      },
    });
    h.scheduler.request(req('a', 2));
    h.renders[0]!.resolve(result(2));
    await vi.advanceTimersByTimeAsync(50);
    expect(prefetched).toEqual([]);
    await vi.advanceTimersByTimeAsync(60);
    expect(prefetched.map((p) => p.time)).toEqual([2.1]);
    h.scheduler.request(req('b', 3));
    expect(prefetched[0]!.signal.aborted).toBe(true);
    await vi.advanceTimersByTimeAsync(200);
    expect(prefetched).toHaveLength(1);
  });

  it('does not prefetch around a degraded frame', async () => {
    const render = vi.fn(async () => undefined);
    const h = harness({ prefetch: { delayMs: 10, times: () => [1, 2], render } });
    h.scheduler.request(req('a'));
    h.renders[0]!.resolve(result(1, { reason: 'breaker open' }));
    await vi.advanceTimersByTimeAsync(100);
    expect(h.log).toEqual(['frame a']);
    expect(render).not.toHaveBeenCalled();
  });

  it('drops what is pending on close, once', async () => {
    const h = harness();
    h.scheduler.request(req('a'));
    h.scheduler.close();
    h.scheduler.close();
    h.scheduler.request(req('b'));
    await vi.runAllTimersAsync();
    expect(h.log).toEqual(['dropped a left']);
    expect(h.renders).toHaveLength(1);
  });
});
