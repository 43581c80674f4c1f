import { describe, expect, it } from 'vitest';
import { cubicBezierAt, ease, easingBezier, namedBeziers } from './easing.js';
import { easingNames } from './schema.js';

/** y at x by dense sampling of the curve's parameter: slow, but independent of the solver. */
function reference(x1: number, y1: number, x2: number, y2: number, x: number): number {
  const coord = (s: number, a: number, b: number) =>
    3 * (1 - s) ** 2 * s * a + 3 * (1 - s) * s ** 2 * b + s ** 3;
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (coord(mid, x1, x2) < x) lo = mid;
    else hi = mid;
  }
  return coord((lo + hi) / 2, y1, y2);
}

describe('ease', () => {
  it('maps 0 to 0 and 1 to 1 for every named easing', () => {
    for (const name of easingNames) {
      expect(ease(name, 0)).toBe(0);
      expect(ease(name, 1)).toBe(1);
    }
  });

  it('clamps progress outside 0..1 and treats NaN as 0', () => {
    expect(ease('ease-in', -0.5)).toBe(0);
    expect(ease('ease-out', 1.5)).toBe(1);
    expect(ease('linear', Number.NaN)).toBe(0);
  });

  it('is monotonic for every named easing', () => {
    for (const name of easingNames) {
      let previous = ease(name, 0);
      for (let i = 1; i <= 1000; i++) {
        const value = ease(name, i / 1000);
        expect(value).toBeGreaterThanOrEqual(previous);
        previous = value;
      }
    }
  });

  it('is linear for linear and undefined', () => {
    expect(ease('linear', 0.3)).toBe(0.3);
    expect(ease(undefined, 0.7)).toBe(0.7);
  });

  it('holds the start value until the very end', () => {
    expect(ease('hold', 0.5)).toBe(0);
    expect(ease('hold', 0.999999)).toBe(0);
    expect(ease('hold', 1)).toBe(1);
  });

  it('shapes ease-in slow at first and ease-out fast at first', () => {
    expect(ease('ease-in', 0.25)).toBeLessThan(0.25);
    expect(ease('ease-out', 0.25)).toBeGreaterThan(0.25);
    expect(ease('ease-in-out', 0.5)).toBeCloseTo(0.5, 9);
  });

  it('uses the CSS control points', () => {
    expect(namedBeziers.ease).toEqual([0.25, 0.1, 0.25, 1]);
    expect(namedBeziers['ease-in']).toEqual([0.42, 0, 1, 1]);
    expect(namedBeziers['ease-out']).toEqual([0, 0, 0.58, 1]);
    expect(namedBeziers['ease-in-out']).toEqual([0.42, 0, 0.58, 1]);
    expect(easingBezier('linear')).toBeUndefined();
    expect(easingBezier({ cubicBezier: [0.1, 0.2, 0.3, 0.4] })).toEqual([0.1, 0.2, 0.3, 0.4]);
  });

  it('evaluates custom cubic-bezier easings', () => {
    expect(ease({ cubicBezier: [0.25, 0.1, 0.25, 1] }, 0.4)).toBe(ease('ease', 0.4));
  });
});

describe('cubicBezierAt', () => {
  const curves: [number, number, number, number][] = [
    [0.25, 0.1, 0.25, 1],
    [0.42, 0, 1, 1],
    [0, 0, 0.58, 1],
    [0.42, 0, 0.58, 1],
    [0, 1, 1, 0],
    [1, 0, 0, 1],
    [0.5, -1, 0.5, 2],
    [0.68, -0.55, 0.265, 1.55],
    [0, 0, 1, 1],
  ];

  it('is accurate to 1e-6 across each curve', () => {
    for (const [x1, y1, x2, y2] of curves) {
      for (let i = 0; i <= 200; i++) {
        const x = i / 200;
        expect(Math.abs(cubicBezierAt(x1, y1, x2, y2, x) - reference(x1, y1, x2, y2, x))).toBeLessThan(1e-6);
      }
    }
  });

  it('returns the exact endpoints', () => {
    for (const [x1, y1, x2, y2] of curves) {
      expect(cubicBezierAt(x1, y1, x2, y2, 0)).toBe(0);
      expect(cubicBezierAt(x1, y1, x2, y2, 1)).toBe(1);
    }
  });

  it('lets curves overshoot when their control points do', () => {
    expect(cubicBezierAt(0.68, -0.55, 0.265, 1.55, 0.1)).toBeLessThan(0);
    expect(cubicBezierAt(0.68, -0.55, 0.265, 1.55, 0.9)).toBeGreaterThan(1);
  });
});
