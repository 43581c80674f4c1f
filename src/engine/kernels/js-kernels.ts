import { jsEffectKernels } from './js-effect-kernels.js';
import type { Kernels } from './kernel-types.js';

/**
 * The compositing kernels in JavaScript: the reference implementation, and the fallback when the
 * native build is unavailable. native/compose.c mirrors this arithmetic exactly.
 */
function coverage(u: number, v: number, p: Float64Array): number {
  const l = u - p[12]!;
  const r = p[14]! - u;
  const t = v - p[13]!;
  const b = p[15]! - v;
  // Distances to the window's edges in destination pixels, per axis.
  const du = (l < r ? l : r) * p[11]!;
  const dv = (t < b ? t : b) * p[16]!;
  const d = du < dv ? du : dv;
  const c = d * 256 + 128;
  if (c <= 0) return 0;
  if (c >= 256) return 256;
  return c | 0;
}

function clampi(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

function bilinear(src: Uint8Array, sw: number, sh: number, u: number, v: number): number {
  const uu = u - 0.5;
  const vv = v - 0.5;
  const fx = Math.floor(uu);
  const fy = Math.floor(vv);
  const wx = ((uu - fx) * 256) | 0;
  const wy = ((vv - fy) * 256) | 0;
  const x0 = clampi(fx, 0, sw - 1);
  const x1 = clampi(fx + 1, 0, sw - 1);
  const y0 = clampi(fy, 0, sh - 1);
  const y1 = clampi(fy + 1, 0, sh - 1);
  const r0 = y0 * sw;
  const r1 = y1 * sw;
  const a = src[r0 + x0]!;
  const b = src[r0 + x1]!;
  const c = src[r1 + x0]!;
  const d = src[r1 + x1]!;
  const top = (a << 8) + (b - a) * wx;
  const bot = (c << 8) + (d - c) * wx;
  return ((top << 8) + (bot - top) * wy + 32768) >> 16;
}

export const jsKernels: Kernels = {
  name: 'javascript',
  affineBlend(dst, dw, dh, src, sw, sh, alpha, p) {
    const m0 = p[0]!;
    const m1 = p[1]!;
    const m2 = p[2]!;
    const m3 = p[3]!;
    const m4 = p[4]!;
    const m5 = p[5]!;
    const op = Math.trunc(p[6]!);
    const x0 = clampi(Math.trunc(p[7]!), 0, dw);
    const y0 = clampi(Math.trunc(p[8]!), 0, dh);
    const x1 = clampi(Math.trunc(p[9]!), 0, dw);
    const y1 = clampi(Math.trunc(p[10]!), 0, dh);
    if (op <= 0) return;
    for (let y = y0; y < y1; y++) {
      const yc = y + 0.5;
      const ub = m1 * yc + m2;
      const vb = m4 * yc + m5;
      const row = y * dw;
      for (let x = x0; x < x1; x++) {
        const xc = x + 0.5;
        const u = m0 * xc + ub;
        const v = m3 * xc + vb;
        const cov = coverage(u, v, p);
        if (cov === 0) continue;
        const s = bilinear(src, sw, sh, u, v);
        let a = (op * cov) >> 8;
        if (alpha) {
          let al = bilinear(alpha, sw, sh, u, v);
          al += al >> 7;
          a = (a * al) >> 8;
        }
        if (a >= 65536) {
          dst[row + x] = s;
        } else if (a > 0) {
          const d = dst[row + x]!;
          dst[row + x] = d + (((s - d) * a + 32768) >> 16);
        }
      }
    }
  },
  lutPlane(plane, lut) {
    for (let i = 0; i < plane.length; i++) plane[i] = lut[plane[i]!]!;
  },
  rgbaToYuv(rgba, w, h, y, u, v, a, a2, t) {
    const n = w * h;
    for (let i = 0, o = 0; i < n; i++, o += 4) {
      y[i] = (1048576 + t[rgba[o]!]! + t[256 + rgba[o + 1]!]! + t[512 + rgba[o + 2]!]! + 32768) >> 16;
      if (a) a[i] = rgba[o + 3]!;
    }
    const cw = (w + 1) >> 1;
    const ch = (h + 1) >> 1;
    for (let cy = 0; cy < ch; cy++) {
      for (let cx = 0; cx < cw; cx++) {
        // Integer sums (exact in a double: at most 4 × 2^23 × 257), one division at the end.
        let su = 0;
        let sv = 0;
        let sw = 0;
        let count = 0;
        for (let dy = 0; dy < 2; dy++) {
          const py = cy * 2 + dy;
          if (py >= h) continue;
          for (let dx = 0; dx < 2; dx++) {
            const px = cx * 2 + dx;
            if (px >= w) continue;
            const o = (py * w + px) * 4;
            const al = a ? rgba[o + 3]! + 1 : 1;
            const r = rgba[o]!;
            const g = rgba[o + 1]!;
            const b = rgba[o + 2]!;
            su += (t[768 + r]! + t[1024 + g]! + t[1280 + b]!) * al;
            sv += (t[1536 + r]! + t[1792 + g]! + t[2048 + b]!) * al;
            sw += al;
            count++;
          }
        }
        const ci = cy * cw + cx;
        u[ci] = clampi(Math.floor(128 + su / (65536 * sw) + 0.5), 0, 255);
        v[ci] = clampi(Math.floor(128 + sv / (65536 * sw) + 0.5), 0, 255);
        if (a2) a2[ci] = Math.floor((sw - count) / count + 0.5);
      }
    }
  },
  ...jsEffectKernels,
};
