import { describe, expect, it } from 'vitest';
import { createManualClock, sleep } from './clock.js';

describe('manual clock', () => {
  it('fires due timers in time order, including ones set while firing', () => {
    const clock = createManualClock(0);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('b@20'), 20);
    clock.setTimeout(() => {
      fired.push('a@10');
      clock.setTimeout(() => fired.push('c@15'), 5);
    }, 10);
    const cancelled = clock.setTimeout(() => fired.push('never'), 5);
    clock.clearTimeout(cancelled);
    clock.advance(19);
    expect(fired).toEqual(['a@10', 'c@15']);
    clock.advance(1);
    expect(fired).toEqual(['a@10', 'c@15', 'b@20']);
    expect(clock.pending()).toBe(0);
  });

  it('sleeps on the clock and stops on abort', async () => {
    const clock = createManualClock(0);
    const slept = sleep(clock, 100);
    clock.advance(100);
    await slept;
    const ac = new AbortController();
    const aborted = sleep(clock, 100, ac.signal);
    ac.abort(new Error('stop'));
    await expect(aborted).rejects.toThrow('stop');
    expect(clock.pending()).toBe(0);
  });
});
