import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../jobs/index.js';
import { LatestWins } from './latest-wins.js';

describe('LatestWins', () => {
  it('sends the first value at once, then at most one per interval, the latest winning', () => {
    const clock = createManualClock(0);
    const sent: Array<[string, number, number]> = [];
    const lw = new LatestWins<number>(100, (k, v) => sent.push([k, v, clock.now()]), clock);
    lw.push('a', 1);
    lw.push('a', 2);
    lw.push('a', 3);
    expect(sent).toEqual([['a', 1, 0]]);
    clock.advance(100);
    expect(sent).toEqual([
      ['a', 1, 0],
      ['a', 3, 100],
    ]);
    clock.advance(500);
    lw.push('a', 4);
    expect(sent.at(-1)).toEqual(['a', 4, 600]);
  });

  it('keeps keys apart and flushes a waiting value on demand', () => {
    const clock = createManualClock(0);
    const sent: Array<[string, number]> = [];
    const lw = new LatestWins<number>(100, (k, v) => sent.push([k, v]), clock);
    lw.push('a', 1);
    lw.push('b', 1);
    lw.push('a', 2);
    lw.flush('a');
    expect(sent).toEqual([
      ['a', 1],
      ['b', 1],
      ['a', 2],
    ]);
    clock.advance(1000);
    expect(sent.length).toBe(3);
  });

  it('drops waiting values when cleared', () => {
    const clock = createManualClock(0);
    const sent: number[] = [];
    const lw = new LatestWins<number>(100, (_k, v) => sent.push(v), clock);
    lw.push('a', 1);
    lw.push('a', 2);
    lw.clear();
    clock.advance(1000);
    expect(sent).toEqual([1]);
    expect(clock.pending()).toBe(0);
  });
});
