import { describe, expect, it } from 'vitest';
import { planChunks } from './plan-chunks.js';

describe('planChunks', () => {
  it('splits a range into consecutive chunks that differ by at most one frame, longer ones first', () => {
    expect(planChunks({ first: 0, count: 10 }, 3)).toEqual([
      { first: 0, count: 4 },
      { first: 4, count: 3 },
      { first: 7, count: 3 },
    ]);
    expect(planChunks({ first: 0, count: 930 }, 2)).toEqual([
      { first: 0, count: 465 },
      { first: 465, count: 465 },
    ]);
  });

  it('keeps the range’s own frame numbers', () => {
    expect(planChunks({ first: 15, count: 9 }, 3)).toEqual([
      { first: 15, count: 3 },
      { first: 18, count: 3 },
      { first: 21, count: 3 },
    ]);
  });

  it('never makes more chunks than frames, nor fewer than one', () => {
    expect(planChunks({ first: 5, count: 2 }, 8)).toEqual([
      { first: 5, count: 1 },
      { first: 6, count: 1 },
    ]);
    expect(planChunks({ first: 0, count: 7 }, 0)).toEqual([{ first: 0, count: 7 }]);
    expect(planChunks({ first: 0, count: 7 }, 1)).toEqual([{ first: 0, count: 7 }]);
  });

  it('covers every frame exactly once, for any split', () => {
    for (const count of [1, 2, 29, 30, 31, 1001]) {
      for (const n of [1, 2, 3, 4, 7, 16]) {
        const plan = planChunks({ first: 3, count }, n);
        expect(plan.length).toBe(Math.min(n, count));
        let next = 3;
        for (const c of plan) {
          expect(c.first).toBe(next);
          expect(c.count).toBeGreaterThan(0);
          next += c.count;
        }
        expect(next).toBe(3 + count);
        const sizes = plan.map((c) => c.count);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      }
    }
  });
});
