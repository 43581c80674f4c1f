import { describe, expect, it } from 'vitest';
import { isRemapped, sourceClock } from './source-time.js';

describe('sourceClock', () => {
  it('a constant speed is trimStart + local × speed', () => {
    const c = sourceClock({ trimStart: 2, speed: 1.5 }, 4);
    expect(c(0)).toBe(2);
    expect(c(1)).toBeCloseTo(3.5, 9);
    expect(c(4)).toBeCloseTo(8, 9);
  });

  it('integrates a linear ramp exactly: 1 → 3 over 2 s covers 4 source seconds', () => {
    const c = sourceClock(
      {
        trimStart: 0,
        speed: 1,
        speedRamp: [
          { t: 0, value: 1 },
          { t: 2, value: 3 },
        ],
      },
      3,
    );
    expect(c(1)).toBeCloseTo(1 + 0.5, 9); // ∫0..1 (1 + t) dt
    expect(c(2)).toBeCloseTo(4, 9);
    expect(c(3)).toBeCloseTo(7, 9); // then 3× for a second
  });

  it('integrates an eased ramp to within a small fraction of a frame', () => {
    const c = sourceClock(
      {
        trimStart: 0,
        speed: 1,
        speedRamp: [
          { t: 0, value: 1, easing: 'ease-in-out' },
          { t: 2, value: 3 },
        ],
      },
      2,
    );
    // ease-in-out is symmetric about the middle, so the mean speed is 2 and the area 4.
    expect(Math.abs(c(2) - 4)).toBeLessThan(1e-4);
    expect(c(1)).toBeLessThan(1.5); // slow start: behind the linear ramp half-way
  });

  it('is monotonic and never runs backwards when the ramp reaches 0', () => {
    const c = sourceClock(
      {
        trimStart: 1,
        speed: 1,
        speedRamp: [
          { t: 0, value: 2 },
          { t: 1, value: 0 },
        ],
      },
      2,
    );
    expect(c(1)).toBeCloseTo(2, 9);
    expect(c(1.7)).toBeCloseTo(2, 9);
    let prev = -1;
    for (let l = 0; l <= 2; l += 0.01) {
      expect(c(l)).toBeGreaterThanOrEqual(prev);
      prev = c(l);
    }
  });

  it('holds a freeze frame for its duration once the source reaches it, then plays on', () => {
    const c = sourceClock({ trimStart: 0, speed: 1, freeze: [{ at: 1, duration: 0.5 }] }, 3);
    expect(c(0.5)).toBeCloseTo(0.5, 9);
    expect(c(1)).toBeCloseTo(1, 9);
    expect(c(1.25)).toBeCloseTo(1, 9);
    expect(c(1.5)).toBeCloseTo(1, 9);
    expect(c(2)).toBeCloseTo(1.5, 9);
  });

  it('takes freezes in source order, at speed, including one at the first frame', () => {
    const c = sourceClock(
      {
        trimStart: 10,
        speed: 2,
        freeze: [
          { at: 12, duration: 1 },
          { at: 10, duration: 0.5 },
          { at: 5, duration: 9 }, // before trimStart: never reached
        ],
      },
      4,
    );
    expect(c(0.25)).toBe(10);
    expect(c(0.5)).toBeCloseTo(10, 9);
    expect(c(1)).toBeCloseTo(11, 9);
    expect(c(1.5)).toBeCloseTo(12, 9);
    expect(c(2.4)).toBeCloseTo(12, 9);
    expect(c(3)).toBeCloseTo(13, 9);
  });

  it('says which clips need it', () => {
    expect(isRemapped({ trimStart: 0, speed: 2 })).toBe(false);
    expect(isRemapped({ trimStart: 0, speed: 1, freeze: [] })).toBe(false);
    expect(isRemapped({ trimStart: 0, speed: 1, freeze: [{ at: 1, duration: 1 }] })).toBe(true);
    expect(isRemapped({ trimStart: 0, speed: 1, speedRamp: [{ t: 0, value: 2 }] })).toBe(true);
  });
});
