import { type GradeKernels, LUT_POINTS } from './grade-kernel-types.js';

/**
 * The grading kernels in JavaScript: the reference implementation and the fallback when the native
 * build is missing. native/grade.c mirrors this arithmetic exactly; only integers are involved
 * (`>>` is a floor division, as signed `>>` is in grade.c).
 */

const N = LUT_POINTS;
const N2 = N * N;
const N3 = N2 * N;

/**
 * Tetrahedral interpolation in a LUT cell: with the fractions (eighths) sorted hi ≥ mid ≥ lo, the
 * value is (8−hi)·c0 + (hi−mid)·c1 + (mid−lo)·c2 + lo·c3 along the path from the cell's corner to the
 * far corner that steps along the axes in order of decreasing fraction. For each (fy, fu, fv), at index
 * fy | fu << 3 | fv << 6, this table holds the offsets of c1 and c2 and the four weights (stride 6).
 */
const TETRA = (() => {
  const t = new Int32Array(512 * 6);
  for (let i = 0; i < 512; i++) {
    const fy = i & 7;
    const fu = (i >> 3) & 7;
    const fv = i >> 6;
    const hi = Math.max(fy, fu, fv);
    const lo = Math.min(fy, fu, fv);
    const mid = fy + fu + fv - hi - lo;
    // Step first along the axis with the largest fraction, then the next (ties: y before u before v).
    const axes = [
      [fy, 1],
      [fu, N],
      [fv, N2],
    ].sort((a, b) => b[0]! - a[0]!);
    t.set([axes[0]![1]!, axes[0]![1]! + axes[1]![1]!, 8 - hi, hi - mid, mid - lo, lo], i * 6);
  }
  return t;
})();

/** The LUT plane's value in the cell at `b` with table entry `t`, rounded to a code value. */
function tetraAt(L: Uint16Array, b: number, t: number): number {
  const s =
    TETRA[t + 2]! * L[b]! +
    TETRA[t + 3]! * L[b + TETRA[t]!]! +
    TETRA[t + 4]! * L[b + TETRA[t + 1]!]! +
    TETRA[t + 5]! * L[b + 1 + N + N2]!;
  const r = (s + 64) >> 7;
  return Math.min(255, r);
}

/** Scales (value − base) by g/4096, rounded; never negative inside, so the shift is exact everywhere. */
function toward(value: number, base: number, g: number): number {
  return (value * g + base * (4096 - g) + 2048) >> 12;
}

/** lowbias32 (Chris Wellons): a fast, well-mixed 32-bit integer hash. */
function hash32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/**
 * Row iy of the grain grid, interpolated horizontally to every pixel column: noise values (sums of
 * four random bytes, −510…510) times 256.
 */
function noiseRow(
  out: Int32Array,
  nodes: Int32Array,
  xi: Int32Array,
  xw: Int32Array,
  iy: number,
  seed: number,
): void {
  const key = hash32(Math.imul(iy, 0x85ebca77) ^ seed);
  for (let ix = 0; ix < nodes.length; ix++) {
    const h = hash32(Math.imul(ix, 0x9e3779b1) ^ key);
    nodes[ix] = (h & 255) + ((h >>> 8) & 255) + ((h >>> 16) & 255) + (h >>> 24) - 510;
  }
  for (let x = 0; x < out.length; x++) {
    const a = nodes[xi[x]!]!;
    const b = nodes[xi[x]! + 1]!;
    out[x] = a * 256 + (b - a) * xw[x]!;
  }
}

export const jsGradeKernels: GradeKernels = {
  name: 'javascript',
  gradeFrame(F, w, h, lut, vy, vc) {
    if (!lut && !vy && !vc) return;
    const cw = (w + 1) >> 1;
    const ch = (h + 1) >> 1;
    const uOff = w * h;
    const vOff = uOff + cw * ch;
    if (F.length < vOff + cw * ch)
      throw new RangeError('gradeFrame: buffer sizes do not match the dimensions');
    for (let cy = 0; cy < ch; cy++) {
      const r0 = 2 * cy * w;
      const r1 = 2 * cy + 1 < h ? r0 + w : -1;
      for (let cx = 0; cx < cw; cx++) {
        const ci = cy * cw + cx;
        const x0 = 2 * cx;
        const x1 = x0 + 1 < w ? x0 + 1 : -1;
        const u = F[uOff + ci]!;
        const v = F[vOff + ci]!;
        // The (u, v) part of the cell and of the table index, shared by the block's five look-ups.
        const cell = ((v >> 3) * N + (u >> 3)) * N;
        const uv = ((u & 7) << 3) | ((v & 7) << 6);
        let nu = u;
        let nv = v;
        if (lut) {
          let sum = F[r0 + x0]!;
          let count = 1;
          if (x1 >= 0) {
            sum += F[r0 + x1]!;
            count++;
          }
          if (r1 >= 0) {
            sum += F[r1 + x0]!;
            count++;
            if (x1 >= 0) {
              sum += F[r1 + x1]!;
              count++;
            }
          }
          const mean = count === 4 ? (sum + 2) >> 2 : count === 2 ? (sum + 1) >> 1 : sum;
          const t = (uv | (mean & 7)) * 6;
          nu = tetraAt(lut, N3 + cell + (mean >> 3), t);
          nv = tetraAt(lut, 2 * N3 + cell + (mean >> 3), t);
        }
        if (vc) {
          nu = toward(nu, 128, vc[ci]!);
          nv = toward(nv, 128, vc[ci]!);
        }
        F[uOff + ci] = nu;
        F[vOff + ci] = nv;
        for (let k = 0; k < 4; k++) {
          const row = k < 2 ? r0 : r1;
          const x = k & 1 ? x1 : x0;
          if (row < 0 || x < 0) continue;
          const p = row + x;
          let yl = F[p]!;
          if (lut) yl = tetraAt(lut, cell + (yl >> 3), (uv | (yl & 7)) * 6);
          if (vy) yl = toward(yl, 16, vy[p]!);
          F[p] = yl;
        }
      }
    }
  },

  grainPlane(Y, w, h, seed, step, gains) {
    if (Y.length < w * h) throw new RangeError('grainPlane: buffer sizes do not match the dimensions');
    const gw = (((w - 1) * step) >> 16) + 2;
    const xi = new Int32Array(w);
    const xw = new Int32Array(w);
    for (let x = 0; x < w; x++) {
      const fx = x * step;
      xi[x] = fx >> 16;
      xw[x] = (fx >> 8) & 255;
    }
    const nodes = new Int32Array(gw);
    let top = new Int32Array(w);
    let bot = new Int32Array(w);
    let cur = -2;
    for (let y = 0; y < h; y++) {
      const fy = y * step;
      const iy = fy >> 16;
      const wy = (fy >> 8) & 255;
      if (iy === cur + 1) {
        [top, bot] = [bot, top];
        noiseRow(bot, nodes, xi, xw, iy + 1, seed);
      } else if (iy !== cur) {
        noiseRow(top, nodes, xi, xw, iy, seed);
        noiseRow(bot, nodes, xi, xw, iy + 1, seed);
      }
      cur = iy;
      const row = y * w;
      for (let x = 0; x < w; x++) {
        const t = top[x]!;
        const n = (t * 256 + (bot[x]! - t) * wy) >> 8;
        const yv = Y[row + x]!;
        const delta = (n * gains[yv]! + 8388608) >> 24;
        // Grain never pushes a legal value out of the legal range (16–235).
        Y[row + x] = Math.min(Math.max(yv, 235), Math.max(Math.min(yv, 16), yv + delta));
      }
    }
  },
};
