/** A monotone cubic curve through control points, evaluated at any input. */
export interface Curve {
  xs: Float64Array;
  ys: Float64Array;
  /** Tangents at the points (Fritsch–Carlson), so the curve never overshoots its points. */
  ms: Float64Array;
}

/**
 * Builds a curve through `points` ([x, y] pairs, x strictly increasing within 0–1). The corners (0, 0)
 * and (1, 1) are added when no point sits at x = 0 or x = 1, as in every curves tool.
 * Returns null for the identity curve.
 */
export function createCurve(points: readonly (readonly [number, number])[]): Curve | null {
  const pts = points.map(([x, y]) => [x, y] as const);
  if (pts.length === 0 || pts[0]![0] > 0) pts.unshift([0, 0]);
  if (pts[pts.length - 1]![0] < 1) pts.push([1, 1]);
  if (pts.every(([x, y]) => x === y)) return null;
  const n = pts.length;
  const xs = Float64Array.from(pts, (p) => p[0]);
  const ys = Float64Array.from(pts, (p) => p[1]);
  const d = new Float64Array(n - 1);
  for (let k = 0; k < n - 1; k++) d[k] = (ys[k + 1]! - ys[k]!) / (xs[k + 1]! - xs[k]!);
  const ms = new Float64Array(n);
  ms[0] = d[0]!;
  ms[n - 1] = d[n - 2]!;
  for (let k = 1; k < n - 1; k++) ms[k] = d[k - 1]! * d[k]! <= 0 ? 0 : (d[k - 1]! + d[k]!) / 2;
  for (let k = 0; k < n - 1; k++) {
    if (d[k] === 0) {
      ms[k] = 0;
      ms[k + 1] = 0;
      continue;
    }
    const a = ms[k]! / d[k]!;
    const b = ms[k + 1]! / d[k]!;
    const s = a * a + b * b;
    if (s > 9) {
      const t = 3 / Math.sqrt(s);
      ms[k] = t * a * d[k]!;
      ms[k + 1] = t * b * d[k]!;
    }
  }
  return { xs, ys, ms };
}

/**
 * The curve at x. Outside 0–1 (colours beyond the legal range) the curve continues parallel to the
 * identity from its end points, so out-of-range values keep their distance and stay continuous.
 */
export function evalCurve(c: Curve, x: number): number {
  const { xs, ys, ms } = c;
  const n = xs.length;
  if (x <= 0) return ys[0]! + x;
  if (x >= 1) return ys[n - 1]! + (x - 1);
  let k = 0;
  while (k < n - 2 && x > xs[k + 1]!) k++;
  const h = xs[k + 1]! - xs[k]!;
  const t = (x - xs[k]!) / h;
  const t2 = t * t;
  const t3 = t2 * t;
  return (
    (2 * t3 - 3 * t2 + 1) * ys[k]! +
    (t3 - 2 * t2 + t) * h * ms[k]! +
    (-2 * t3 + 3 * t2) * ys[k + 1]! +
    (t3 - t2) * h * ms[k + 1]!
  );
}
