import { describe, expect, it } from 'vitest';
import { createManualClock } from './clock.js';
import { Ticker, Wakeup } from './wakeup.js';

describe('Wakeup', () => {
  it('keeps a wake-up that came while the loop was busy', async () => {
    const w = new Wakeup(createManualClock(0));
    w.wake();
    await w.wait(1_000_000); // returns at once
    w.reset();
    const clock = createManualClock(0);
    const w2 = new Wakeup(clock);
    let done = false;
    const waiting = w2.wait(100).then(() => {
      done = true;
    });
    clock.advance(99);
    await Promise.resolve();
    expect(done).toBe(false);
    w2.wake();
    await waiting;
    expect(clock.pending()).toBe(0);
  });
});

describe('Ticker', () => {
  it('runs every interval without overlapping itself, until stopped', async () => {
    const clock = createManualClock(0);
    const runs: number[] = [];
    let release: () => void = () => undefined;
    const ticker = new Ticker(
      clock,
      10,
      () =>
        new Promise<void>((resolve) => {
          runs.push(clock.now());
          release = resolve;
        }),
      () => undefined,
    );
    clock.advance(10);
    clock.advance(50); // still busy: no second run
    expect(runs).toEqual([10]);
    release();
    await new Promise((r) => setImmediate(r));
    clock.advance(10);
    expect(runs).toEqual([10, 70]);
    ticker.stop();
    release();
    await new Promise((r) => setImmediate(r));
    clock.advance(100);
    expect(runs).toEqual([10, 70]);
  });
});
