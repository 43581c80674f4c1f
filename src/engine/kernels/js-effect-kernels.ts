import type { EffectKernels } from './kernel-types.js';

/**
 * The effect kernels (motion-blur accumulation, blur, level mixing) in JavaScript. native/compose.c
 * mirrors this arithmetic exactly; rounding is done with the same double operations in both.
 */

/** floor(x / n) for 0 ≤ x < 2^16 and 1 ≤ n ≤ 256, by a multiplication both languages do exactly. */
function reciprocal24(n: number): number {
  return Math.ceil(16777216 / n);
}

function clampi(v: number, lo: number, hi: number): number {
  return v < lo ? lo : Math.min(v, hi);
}

/** One horizontal box pass of radius r with clamped edges: out = round(mean). */
function boxRows(src: Uint16Array, dst: Uint16Array, w: number, h: number, r: number): void {
  const recip = 1 / (2 * r + 1);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    let sum = (r + 1) * src[row]!;
    for (let k = 1; k <= r; k++) sum += src[row + (k < w ? k : w - 1)]!;
    for (let x = 0; x < w; x++) {
      dst[row + x] = (sum * recip + 0.5) | 0;
      const add = x + r + 1;
      const sub = x - r;
      sum += src[row + (add < w ? add : w - 1)]! - src[row + Math.max(sub, 0)]!;
    }
  }
}

/** One vertical box pass of radius r with clamped edges, a row at a time (column sums). */
function boxColumns(
  src: Uint16Array,
  dst: Uint16Array,
  w: number,
  h: number,
  r: number,
  sums: Int32Array,
): void {
  const recip = 1 / (2 * r + 1);
  for (let x = 0; x < w; x++) sums[x] = (r + 1) * src[x]!;
  for (let k = 1; k <= r; k++) {
    const row = (k < h ? k : h - 1) * w;
    for (let x = 0; x < w; x++) sums[x] = sums[x]! + src[row + x]!;
  }
  for (let y = 0; y < h; y++) {
    const out = y * w;
    const add = (y + r + 1 < h ? y + r + 1 : h - 1) * w;
    const sub = Math.max(y - r, 0) * w;
    for (let x = 0; x < w; x++) {
      const s = sums[x]!;
      dst[out + x] = (s * recip + 0.5) | 0;
      sums[x] = s + src[add + x]! - src[sub + x]!;
    }
  }
}

/** Three box passes each way (close to a Gaussian of sigma √(r(r+1))); the result ends in `a`. */
function box3(a: Uint16Array, b: Uint16Array, w: number, h: number, r: number, sums: Int32Array): void {
  boxRows(a, b, w, h, r);
  boxRows(b, a, w, h, r);
  boxRows(a, b, w, h, r);
  boxColumns(b, a, w, h, r, sums);
  boxColumns(a, b, w, h, r, sums);
  boxColumns(b, a, w, h, r, sums);
}

export const jsEffectKernels: EffectKernels = {
  accumulate(acc, src) {
    const n = Math.min(acc.length, src.length);
    for (let i = 0; i < n; i++) acc[i] = acc[i]! + src[i]!;
  },
  resolveAccumulator(acc, count, dst) {
    const c = clampi(Math.trunc(count), 1, 256);
    const m = reciprocal24(c);
    const half = c >> 1;
    const n = Math.min(acc.length, dst.length);
    for (let i = 0; i < n; i++) dst[i] = Math.floor(((acc[i]! + half) * m) / 16777216);
  },
  blurPlane(dst, src, weight, w, h, radius) {
    const n = w * h;
    const r = Math.trunc(radius);
    if (r <= 0) {
      dst.set(src.subarray(0, n));
      return;
    }
    const a = new Uint16Array(n);
    const b = new Uint16Array(n);
    const sums = new Int32Array(w);
    if (!weight) {
      for (let i = 0; i < n; i++) a[i] = src[i]! << 4;
      box3(a, b, w, h, r, sums);
      for (let i = 0; i < n; i++) {
        const v = (a[i]! + 8) >> 4;
        dst[i] = Math.min(v, 255);
      }
      return;
    }
    // Weighted by alpha: blur colour × alpha and alpha, then divide (no dark fringes from hidden pixels).
    const wa = new Uint16Array(n);
    for (let i = 0; i < n; i++) {
      a[i] = src[i]! * weight[i]!;
      wa[i] = weight[i]! << 4;
    }
    box3(a, b, w, h, r, sums);
    box3(wa, b, w, h, r, sums);
    for (let i = 0; i < n; i++) {
      const wt = wa[i]!;
      if (wt === 0) {
        dst[i] = src[i]!;
        continue;
      }
      const v = Math.floor((a[i]! * 16 + (wt >> 1)) / wt);
      dst[i] = Math.min(v, 255);
    }
  },
  lerpPlane(dst, a, b, t) {
    const f = clampi(Math.trunc(t), 0, 256);
    const n = Math.min(dst.length, a.length, b.length);
    for (let i = 0; i < n; i++) {
      const x = a[i]!;
      dst[i] = x + (((b[i]! - x) * f + 128) >> 8);
    }
  },
  mixLevels(dst, levels, map, lut) {
    const n = dst.length;
    const last = levels.length - 1;
    for (let i = 0; i < n; i++) {
      const p = lut[map[i]!]!;
      const k = p >> 8;
      const f = p & 255;
      if (k >= last) {
        dst[i] = levels[last]![i]!;
        continue;
      }
      const x = levels[k]![i]!;
      dst[i] = f === 0 ? x : x + (((levels[k + 1]![i]! - x) * f + 128) >> 8);
    }
  },
};
