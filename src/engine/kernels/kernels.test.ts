import { describe, expect, it } from 'vitest';
import { jsKernels } from './js-kernels.js';
import { BLEND_PARAMS, loadKernels } from './kernels.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function randomPlane(n: number, r: () => number): Uint8Array {
  const p = new Uint8Array(n);
  for (let i = 0; i < n; i++) p[i] = Math.floor(r() * 256);
  return p;
}

function params(m: number[], opacity: number, rect: number[], aa: number, win?: number[]): Float64Array {
  const p = new Float64Array(BLEND_PARAMS.length);
  p.set(win ?? [0, 0, 1e9, 1e9], BLEND_PARAMS.window);
  p.set(m, BLEND_PARAMS.matrix);
  p[BLEND_PARAMS.opacity] = opacity;
  p.set(rect, BLEND_PARAMS.rect);
  p[BLEND_PARAMS.aa] = aa;
  p[BLEND_PARAMS.aaV] = aa;
  return p;
}

describe('compositing kernels', () => {
  it('identity map with full opacity copies the source exactly', () => {
    const r = rng(1);
    const src = randomPlane(32 * 16, r);
    const dst = new Uint8Array(32 * 16);
    jsKernels.affineBlend(
      dst,
      32,
      16,
      src,
      32,
      16,
      null,
      params([1, 0, 0, 0, 1, 0], 65536, [0, 0, 32, 16], 1),
    );
    // Edge pixels are half covered by design (anti-aliased borders); the interior is an exact copy.
    for (let y = 1; y < 15; y++) {
      for (let x = 1; x < 31; x++) expect(dst[y * 32 + x]).toBe(src[y * 32 + x]);
    }
  });

  it('half opacity blends halfway between destination and source', () => {
    const src = new Uint8Array(64).fill(200);
    const dst = new Uint8Array(64).fill(100);
    jsKernels.affineBlend(dst, 8, 8, src, 8, 8, null, params([1, 0, 0, 0, 1, 0], 32768, [0, 0, 8, 8], 1));
    expect(dst[3 * 8 + 3]).toBe(150);
  });

  it('an alpha plane of zero leaves the destination untouched', () => {
    const src = new Uint8Array(64).fill(200);
    const alpha = new Uint8Array(64);
    const dst = new Uint8Array(64).fill(100);
    jsKernels.affineBlend(dst, 8, 8, src, 8, 8, alpha, params([1, 0, 0, 0, 1, 0], 65536, [0, 0, 8, 8], 1));
    expect([...dst].every((v) => v === 100)).toBe(true);
  });

  it('native and JavaScript kernels produce identical bytes', () => {
    const native = loadKernels('native');
    if (native.name !== 'native') {
      // The addon is built by `npm ci`; without a compiler only the JavaScript kernels exist.
      expect(native.name).toBe('javascript');
      return;
    }
    const r = rng(42);
    for (let k = 0; k < 80; k++) {
      const sw = 5 + Math.floor(r() * 60);
      const sh = 5 + Math.floor(r() * 60);
      const dw = 8 + Math.floor(r() * 70);
      const dh = 8 + Math.floor(r() * 70);
      const src = randomPlane(sw * sh, r);
      const alpha = r() < 0.5 ? randomPlane(sw * sh, r) : null;
      // Half the cases are axis-aligned (the native fast path), half rotated (the general path).
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
      const rect = k % 3 === 0 ? [0, 0, dw, dh] : [Math.floor(r() * 5), Math.floor(r() * 5), dw - 2, dh - 1];
      const win = k % 5 === 0 ? [0, 0, sw, sh] : [r() * 3, r() * 3, sw - r() * 4, sh - r() * 4];
      const p = params(m, opacity, rect, 1 / s, win);
      p[BLEND_PARAMS.aaV] = (0.5 + r()) / s; // stretched layers reach differently along u and v
      const base = randomPlane(dw * dh, r);
      const d1 = Uint8Array.from(base);
      const d2 = Uint8Array.from(base);
      jsKernels.affineBlend(d1, dw, dh, src, sw, sh, alpha, p);
      native.affineBlend(d2, dw, dh, src, sw, sh, alpha, p);
      expect(Buffer.from(d2).equals(Buffer.from(d1))).toBe(true);
    }
    const lut = randomPlane(256, r);
    const plane = randomPlane(1000, r);
    const p1 = Uint8Array.from(plane);
    const p2 = Uint8Array.from(plane);
    jsKernels.lutPlane(p1, lut);
    native.lutPlane(p2, lut);
    expect(Buffer.from(p2).equals(Buffer.from(p1))).toBe(true);
  });

  it('the native kernel refuses buffers smaller than their dimensions', () => {
    const native = loadKernels('native');
    if (native.name !== 'native') return;
    expect(() =>
      native.affineBlend(
        new Uint8Array(10),
        8,
        8,
        new Uint8Array(64),
        8,
        8,
        null,
        new Float64Array(BLEND_PARAMS.length),
      ),
    ).toThrow(/buffer sizes/);
  });
});
