import type { Easing } from './schema.js';

/** Control points of a CSS cubic-bezier(x1, y1, x2, y2) timing function. */
export type CubicBezier = readonly [x1: number, y1: number, x2: number, y2: number];

/** The named easings that are curves, with the control points CSS gives them. */
export const namedBeziers: Readonly<Record<'ease' | 'ease-in' | 'ease-out' | 'ease-in-out', CubicBezier>> =
  Object.freeze({
    ease: [0.25, 0.1, 0.25, 1],
    'ease-in': [0.42, 0, 1, 1],
    'ease-out': [0, 0, 0.58, 1],
    'ease-in-out': [0.42, 0, 0.58, 1],
  });

/** One coordinate of the curve at parameter s, for control values a and b (endpoints 0 and 1). */
function bezierCoord(s: number, a: number, b: number): number {
  // B(s) = 3(1-s)²s·a + 3(1-s)s²·b + s³, in Horner form.
  return ((1 + 3 * a - 3 * b) * s + (3 * b - 6 * a)) * s * s + 3 * a * s;
}

function bezierSlope(s: number, a: number, b: number): number {
  return 3 * (1 + 3 * a - 3 * b) * s * s + 2 * (3 * b - 6 * a) * s + 3 * a;
}

/**
 * The curve parameter s at which x(s) = x, to within about 1e-9 in s (so y is as close):
 * Newton's method where the curve is steep enough to trust it, bisection otherwise.
 */
function solveForX(x: number, x1: number, x2: number): number {
  let s = x;
  for (let i = 0; i < 8; i++) {
    const err = bezierCoord(s, x1, x2) - x;
    const slope = bezierSlope(s, x1, x2);
    if (Math.abs(slope) < 1e-3) break;
    if (Math.abs(err) < 1e-12) return s;
    s -= err / slope;
    if (s < 0 || s > 1) break;
  }
  // x(s) rises monotonically on [0, 1] because x1 and x2 lie in [0, 1], so bisection always converges.
  let lo = 0;
  let hi = 1;
  while (hi - lo > 1e-12) {
    const mid = (lo + hi) / 2;
    if (bezierCoord(mid, x1, x2) < x) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * Evaluates cubic-bezier(x1, y1, x2, y2) at progress x in [0, 1] (clamped), accurate to 1e-6.
 * Endpoints are exact: 0 → 0, 1 → 1.
 */
export function cubicBezierAt(x1: number, y1: number, x2: number, y2: number, x: number): number {
  if (!(x > 0)) return 0;
  if (x >= 1) return 1;
  if (x1 === y1 && x2 === y2) return x;
  return bezierCoord(solveForX(x, x1, x2), y1, y2);
}

/**
 * Applies an easing to progress p in [0, 1] (clamped). `hold` keeps 0 until the very end, where it
 * steps to 1; curves may overshoot 0..1 in between when their y control points do.
 */
export function ease(easing: Easing | undefined, p: number): number {
  const x = Number.isNaN(p) ? 0 : Math.min(1, Math.max(0, p));
  if (easing === undefined || easing === 'linear') return x;
  if (easing === 'hold') return x >= 1 ? 1 : 0;
  const [x1, y1, x2, y2] = typeof easing === 'string' ? namedBeziers[easing] : easing.cubicBezier;
  return cubicBezierAt(x1, y1, x2, y2, x);
}

/** The control points behind an easing, or undefined for `linear` and `hold` (useful to hand to CSS or ffmpeg). */
export function easingBezier(easing: Easing): CubicBezier | undefined {
  if (easing === 'linear' || easing === 'hold') return undefined;
  return typeof easing === 'string' ? namedBeziers[easing] : easing.cubicBezier;
}
