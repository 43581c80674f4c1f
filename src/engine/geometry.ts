/** A 2D affine map: X = a·x + b·y + c, Y = d·x + e·y + f. */
/** The nearest even number of pixels, at least 2 (4:2:0 chroma needs even frame sizes). */
export const even = (n: number): number => Math.max(2, Math.round(n / 2) * 2);

export type Affine = readonly [number, number, number, number, number, number];

export const IDENTITY: Affine = [1, 0, 0, 0, 1, 0];

/** p ∘ q: first q, then p. */
export function compose(p: Affine, q: Affine): Affine {
  return [
    p[0] * q[0] + p[1] * q[3],
    p[0] * q[1] + p[1] * q[4],
    p[0] * q[2] + p[1] * q[5] + p[2],
    p[3] * q[0] + p[4] * q[3],
    p[3] * q[1] + p[4] * q[4],
    p[3] * q[2] + p[4] * q[5] + p[5],
  ];
}

export function translate(x: number, y: number): Affine {
  return [1, 0, x, 0, 1, y];
}

export function scale(sx: number, sy = sx): Affine {
  return [sx, 0, 0, 0, sy, 0];
}

/** Rotation by `deg` degrees, clockwise on screen (y points down). */
export function rotate(deg: number): Affine {
  if (deg % 360 === 0) return IDENTITY;
  const r = (deg * Math.PI) / 180;
  const c = Math.cos(r);
  const s = Math.sin(r);
  return [c, -s, 0, s, c, 0];
}

/** The inverse map, or null when the map collapses the plane (zero scale). */
export function invert(m: Affine): Affine | null {
  const det = m[0] * m[4] - m[1] * m[3];
  if (Math.abs(det) < 1e-12) return null;
  const ia = m[4] / det;
  const ib = -m[1] / det;
  const id = -m[3] / det;
  const ie = m[0] / det;
  return [ia, ib, -(ia * m[2] + ib * m[5]), id, ie, -(id * m[2] + ie * m[5])];
}

export function apply(m: Affine, x: number, y: number): [number, number] {
  return [m[0] * x + m[1] * y + m[2], m[3] * x + m[4] * y + m[5]];
}

/** The axis-aligned bounds of a rectangle after mapping. */
export function mappedBounds(
  m: Affine,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
): [number, number, number, number] {
  const pts = [apply(m, x0, y0), apply(m, x1, y0), apply(m, x0, y1), apply(m, x1, y1)];
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => p[1]);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

/** Linear scale of a map (the geometric mean of its axes), for anti-aliasing widths. */
export function linearScale(m: Affine): number {
  return Math.sqrt(Math.abs(m[0] * m[4] - m[1] * m[3]));
}
