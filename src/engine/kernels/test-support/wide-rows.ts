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

/**
 * Draws wide axis-aligned rows (many 8-pixel blocks) with `kernels` and with the JavaScript reference,
 * at scales from magnified through the 16-byte reach of a shuffled block (about 1.9 source pixels per
 * output pixel) to beyond it, mirrored or not, with sources ending mid-block. Returns the cases whose
 * bytes differ.
 */
export function wideRowMismatches(kernels: Kernels): string[] {
  const r = rng(7);
  const bad: string[] = [];
  for (const s of [0.37, 0.8, 0.93, 1, 1.25, 1.87, 1.95, 2.6]) {
    for (const mirror of [false, true]) {
      const sw = 150 + Math.floor(r() * 300);
      const sh = 40 + Math.floor(r() * 40);
      const dw = 200 + Math.floor(r() * 200);
      const dh = 30;
      const src = randomPlane(sw * sh, r);
      const alpha = r() < 0.5 ? randomPlane(sw * sh, r) : null;
      const m = mirror ? [-s, 0, sw - r() * 7, 0, s, r() * 9 - 3] : [s, 0, r() * 9 - 3, 0, s, r() * 9 - 3];
      const p = blendParams(m, mirror ? 40000 : 65536, [0, 0, dw, dh], 1 / s, [0, 0, sw, sh]);
      const base = randomPlane(dw * dh, r);
      const d1 = Uint8Array.from(base);
      const d2 = Uint8Array.from(base);
      jsKernels.affineBlend(d1, dw, dh, src, sw, sh, alpha, p);
      kernels.affineBlend(d2, dw, dh, src, sw, sh, alpha, p);
      if (!Buffer.from(d2).equals(Buffer.from(d1))) bad.push(`scale ${s}${mirror ? ' mirrored' : ''}`);
    }
  }
  return bad;
}

/**
 * Draws rotated and skewed layers (the general path) with `kernels` and with the JavaScript reference:
 * angles from a hair off axis-aligned through 90° (where one source axis stays constant along a row),
 * windows inside and beyond the source, with and without alpha. Returns the cases whose bytes differ.
 */
export function rotatedMismatches(kernels: Kernels): string[] {
  const r = rng(11);
  const bad: string[] = [];
  for (const angle of [1e-9, -0.003, 0.05, 0.4, Math.PI / 4, Math.PI / 2, 2.5, -Math.PI / 2 + 1e-7]) {
    for (const s of [0.6, 1, 1.7]) {
      const sw = 60 + Math.floor(r() * 200);
      const sh = 60 + Math.floor(r() * 200);
      const dw = 100 + Math.floor(r() * 200);
      const dh = 40 + Math.floor(r() * 60);
      const src = randomPlane(sw * sh, r);
      const alpha = r() < 0.5 ? randomPlane(sw * sh, r) : null;
      const c = Math.cos(angle) * s;
      const n = Math.sin(angle) * s;
      const m = [
        c,
        -n,
        sw / 2 - c * (dw / 2) + n * (dh / 2) + r() * 4,
        n,
        c,
        sh / 2 - n * (dw / 2) - c * (dh / 2),
      ];
      const win = r() < 0.5 ? [0, 0, sw, sh] : [r() * 20, r() * 20, sw - r() * 20, sh + r() * 10];
      const p = blendParams(m, r() < 0.5 ? 65536 : 30000, [0, 0, dw, dh], (0.5 + r()) / s, win);
      const base = randomPlane(dw * dh, r);
      const d1 = Uint8Array.from(base);
      const d2 = Uint8Array.from(base);
      jsKernels.affineBlend(d1, dw, dh, src, sw, sh, alpha, p);
      kernels.affineBlend(d2, dw, dh, src, sw, sh, alpha, p);
      if (!Buffer.from(d2).equals(Buffer.from(d1))) bad.push(`angle ${angle}, scale ${s}`);
    }
  }
  return bad;
}
