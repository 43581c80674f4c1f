import { jsKernels } from '../js-kernels.js';
import { BLEND_PARAMS, type Kernels } from '../kernels.js';

/** A deterministic generator of numbers in [0, 1). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export function randomPlane(n: number, r: () => number): Uint8Array {
  const p = new Uint8Array(n);
  for (let i = 0; i < n; i++) p[i] = Math.floor(r() * 256);
  return p;
}

/** An affineBlend parameter block. */
export function blendParams(
  m: number[],
  opacity: number,
  rect: number[],
  aa: number,
  win?: number[],
): Float64Array {
  const p = new Float64Array(BLEND_PARAMS.length);
  p.set(win ?? [0, 0, 1e9, 1e9], BLEND_PARAMS.window);
  p.set(m, BLEND_PARAMS.matrix);
  p[BLEND_PARAMS.opacity] = opacity;
  p.set(rect, BLEND_PARAMS.rect);
  p[BLEND_PARAMS.aa] = aa;
  p[BLEND_PARAMS.aaV] = aa;
  return p;
}

interface Sizes {
  sw: number;
  sh: number;
  dw: number;
  dh: number;
}

/**
 * Draws one random source (with an alpha plane half the time) onto one random destination with
 * `kernels` and with the JavaScript reference; whether their bytes differ.
 */
function differs(kernels: Kernels, r: () => number, { sw, sh, dw, dh }: Sizes, p: Float64Array): boolean {
  const src = randomPlane(sw * sh, r);
  const alpha = r() < 0.5 ? randomPlane(sw * sh, r) : null;
  const base = randomPlane(dw * dh, r);
  const d1 = Uint8Array.from(base);
  const d2 = Uint8Array.from(base);
  jsKernels.affineBlend(d1, dw, dh, src, sw, sh, alpha, p);
  kernels.affineBlend(d2, dw, dh, src, sw, sh, alpha, p);
  return !Buffer.from(d2).equals(Buffer.from(d1));
}

const sizes = (r: () => number, min: Sizes, span: Sizes): Sizes => ({
  sw: min.sw + Math.floor(r() * span.sw),
  sh: min.sh + Math.floor(r() * span.sh),
  dw: min.dw + Math.floor(r() * span.dw),
  dh: min.dh + Math.floor(r() * span.dh),
});

/** Small random layers, half axis-aligned and half rotated, with random opacity, rectangle and window. */
export function randomMismatches(kernels: Kernels): string[] {
  const r = rng(42);
  const bad: string[] = [];
  for (let k = 0; k < 80; k++) {
    const z = sizes(r, { sw: 5, sh: 5, dw: 8, dh: 8 }, { sw: 60, sh: 60, dw: 70, dh: 70 });
    const a = k % 2 === 0 ? 0 : (r() - 0.5) * 2 * Math.PI;
    const s = 0.3 + r() * 3;
    const m = [
      Math.cos(a) * s,
      -Math.sin(a) * s,
      r() * 20 - 10,
      Math.sin(a) * s,
      Math.cos(a) * s,
      r() * 20 - 10,
    ];
    const opacity = k % 4 < 2 ? 65536 : Math.floor(r() * 65537);
    const rect =
      k % 3 === 0 ? [0, 0, z.dw, z.dh] : [Math.floor(r() * 5), Math.floor(r() * 5), z.dw - 2, z.dh - 1];
    const win = k % 5 === 0 ? [0, 0, z.sw, z.sh] : [r() * 3, r() * 3, z.sw - r() * 4, z.sh - r() * 4];
    const p = blendParams(m, opacity, rect, 1 / s, win);
    p[BLEND_PARAMS.aaV] = (0.5 + r()) / s; // stretched layers reach differently along u and v
    if (differs(kernels, r, z, p)) bad.push(`random case ${k}`);
  }
  return bad;
}

/**
 * Wide axis-aligned rows (many 8-pixel blocks) at scales from magnified through the 16-byte reach of a
 * shuffled block (about 1.9 source pixels per output pixel) to beyond it, mirrored or not, with
 * sources ending mid-block.
 */
export function wideRowMismatches(kernels: Kernels): string[] {
  const r = rng(7);
  const bad: string[] = [];
  for (const s of [0.37, 0.8, 0.93, 1, 1.25, 1.87, 1.95, 2.6]) {
    for (const mirror of [false, true]) {
      const z = sizes(r, { sw: 150, sh: 40, dw: 200, dh: 30 }, { sw: 300, sh: 40, dw: 200, dh: 0 });
      const m = mirror ? [-s, 0, z.sw - r() * 7, 0, s, r() * 9 - 3] : [s, 0, r() * 9 - 3, 0, s, r() * 9 - 3];
      const p = blendParams(m, mirror ? 40000 : 65536, [0, 0, z.dw, z.dh], 1 / s, [0, 0, z.sw, z.sh]);
      if (differs(kernels, r, z, p)) bad.push(`scale ${s}${mirror ? ' mirrored' : ''}`);
    }
  }
  return bad;
}

/**
 * Rotated and skewed layers (the general path): angles from a hair off axis-aligned through 90° (where
 * one source axis stays constant along a row), windows inside and beyond the source.
 */
export function rotatedMismatches(kernels: Kernels): string[] {
  const r = rng(11);
  const bad: string[] = [];
  for (const angle of [1e-9, -0.003, 0.05, 0.4, Math.PI / 4, Math.PI / 2, 2.5, -Math.PI / 2 + 1e-7]) {
    for (const s of [0.6, 1, 1.7]) {
      const z = sizes(r, { sw: 60, sh: 60, dw: 100, dh: 40 }, { sw: 200, sh: 200, dw: 200, dh: 60 });
      const c = Math.cos(angle) * s;
      const n = Math.sin(angle) * s;
      const cu = z.sw / 2 - c * (z.dw / 2) + n * (z.dh / 2) + r() * 4;
      const m = [c, -n, cu, n, c, z.sh / 2 - n * (z.dw / 2) - c * (z.dh / 2)];
      const win = r() < 0.5 ? [0, 0, z.sw, z.sh] : [r() * 20, r() * 20, z.sw - r() * 20, z.sh + r() * 10];
      const p = blendParams(m, r() < 0.5 ? 65536 : 30000, [0, 0, z.dw, z.dh], (0.5 + r()) / s, win);
      if (differs(kernels, r, z, p)) bad.push(`angle ${angle}, scale ${s}`);
    }
  }
  return bad;
}

/** Every family of cases above. */
export function allMismatches(kernels: Kernels): string[] {
  return [...randomMismatches(kernels), ...wideRowMismatches(kernels), ...rotatedMismatches(kernels)];
}
