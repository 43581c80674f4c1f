import { describe, expect, it } from 'vitest';
import { jsKernels } from './js-kernels.js';
import { loadKernels } from './kernels.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function randomPlane(n: number, r: () => number, max = 256): Uint8Array {
  const p = new Uint8Array(n);
  for (let i = 0; i < n; i++) p[i] = Math.floor(r() * max);
  return p;
}

const same = (a: ArrayLike<number>, b: ArrayLike<number>) => expect(Array.from(a)).toEqual(Array.from(b));
const native = loadKernels('native');
const itNative = native.name === 'native' ? it : it.skip;

describe('effect kernels (JavaScript reference)', () => {
  it('accumulate and resolve give the rounded mean of the samples', () => {
    const acc = new Uint16Array(4);
    for (const s of [
      [0, 10, 255, 7],
      [1, 11, 255, 8],
      [1, 12, 254, 8],
    ])
      jsKernels.accumulate(acc, Uint8Array.from(s));
    const out = new Uint8Array(4);
    jsKernels.resolveAccumulator(acc, 3, out);
    same(out, [1, 11, 255, 8]); // (0+1+1)/3 = 0.67 → 1, 33/3 = 11, 764/3 = 254.7 → 255, 23/3 = 7.67 → 8
  });

  it('resolve divides exactly for every count and sum', () => {
    for (const count of [1, 2, 3, 5, 7, 8, 13, 64, 255, 256]) {
      const acc = new Uint16Array(255 * count + 1).map((_, i) => i);
      const out = new Uint8Array(acc.length);
      jsKernels.resolveAccumulator(acc, count, out);
      let wrong = 0;
      for (let x = 0; x < acc.length; x++) if (out[x] !== Math.floor((x + (count >> 1)) / count)) wrong++;
      expect(wrong).toBe(0);
    }
  });

  it('blur keeps a flat plane flat and spreads a point symmetrically', () => {
    const flat = new Uint8Array(30 * 20).fill(77);
    const out = new Uint8Array(flat.length);
    jsKernels.blurPlane(out, flat, null, 30, 20, 3);
    expect(new Set(out)).toEqual(new Set([77]));
    const dot = new Uint8Array(31 * 31);
    dot[15 * 31 + 15] = 255;
    jsKernels.blurPlane(out.subarray(0, dot.length), dot, null, 31, 31, 2);
    const o = out.subarray(0, dot.length);
    expect(o[15 * 31 + 15]).toBeGreaterThan(o[15 * 31 + 17]!);
    expect(o[15 * 31 + 13]).toBe(o[15 * 31 + 17]);
    expect(o[13 * 31 + 15]).toBe(o[17 * 31 + 15]);
    expect(o[15 * 31 + 25]).toBe(0);
  });

  it('a weighted blur ignores the colour under transparent pixels', () => {
    // Left half white and opaque, right half black but fully transparent: the colour stays white.
    const w = 20;
    const h = 4;
    const src = new Uint8Array(w * h).map((_, i) => (i % w < 10 ? 235 : 16));
    const alpha = new Uint8Array(w * h).map((_, i) => (i % w < 10 ? 255 : 0));
    const out = new Uint8Array(w * h);
    jsKernels.blurPlane(out, src, alpha, w, h, 3);
    for (let x = 0; x < 14; x++) expect(out[w + x]).toBe(235);
    const unweighted = new Uint8Array(w * h);
    jsKernels.blurPlane(unweighted, src, null, w, h, 3);
    expect(unweighted[w + 9]).toBeLessThan(200);
  });

  it('radius 0 copies', () => {
    const src = Uint8Array.from([1, 2, 3, 4]);
    const out = new Uint8Array(4);
    jsKernels.blurPlane(out, src, null, 2, 2, 0);
    same(out, src);
  });

  it('lerp and level mixing interpolate between planes', () => {
    const a = Uint8Array.from([0, 100, 200]);
    const b = Uint8Array.from([100, 100, 0]);
    const out = new Uint8Array(3);
    jsKernels.lerpPlane(out, a, b, 64);
    same(out, [25, 100, 150]);
    const lut = new Uint16Array(256);
    lut[1] = 0x0080; // level 0 half-way to level 1
    lut[2] = 0x0100; // level 1
    lut[3] = 0x0500; // beyond the last: the last level
    const c = Uint8Array.from([50, 50, 50]);
    jsKernels.mixLevels(out, [a, b, c], Uint8Array.from([1, 2, 3]), lut);
    same(out, [50, 100, 50]);
  });
});

describe('effect kernels: native and JavaScript produce identical bytes', () => {
  itNative('accumulate and resolve', () => {
    const r = rng(7);
    for (const count of [1, 2, 3, 8, 13]) {
      const n = 1000 + Math.floor(r() * 500);
      const a1 = new Uint16Array(n);
      const a2 = new Uint16Array(n);
      for (let k = 0; k < count; k++) {
        const s = randomPlane(n, r);
        jsKernels.accumulate(a1, s);
        native.accumulate(a2, s);
      }
      same(a2, a1);
      const d1 = new Uint8Array(n);
      const d2 = new Uint8Array(n);
      jsKernels.resolveAccumulator(a1, count, d1);
      native.resolveAccumulator(a2, count, d2);
      same(d2, d1);
    }
  });

  itNative('blur, with and without weights, at many sizes and radii', () => {
    const r = rng(11);
    for (let k = 0; k < 40; k++) {
      const w = 1 + Math.floor(r() * 50);
      const h = 1 + Math.floor(r() * 40);
      const radius = Math.floor(r() * 12);
      const src = randomPlane(w * h, r);
      const weight = k % 2 ? randomPlane(w * h, r) : null;
      if (weight && k % 4 === 1) for (let i = 0; i < weight.length; i += 3) weight[i] = 0;
      const d1 = new Uint8Array(w * h);
      const d2 = new Uint8Array(w * h);
      jsKernels.blurPlane(d1, src, weight, w, h, radius);
      native.blurPlane(d2, src, weight, w, h, radius);
      same(d2, d1);
    }
  });

  itNative('lerp and level mixing', () => {
    const r = rng(5);
    const n = 777;
    const levels = [0, 1, 2, 3].map(() => randomPlane(n, r));
    for (const t of [0, 1, 77, 128, 255, 256]) {
      const d1 = new Uint8Array(n);
      const d2 = new Uint8Array(n);
      jsKernels.lerpPlane(d1, levels[0]!, levels[1]!, t);
      native.lerpPlane(d2, levels[0]!, levels[1]!, t);
      same(d2, d1);
    }
    const lut = new Uint16Array(256).map(() => Math.floor(r() * 5 * 256));
    const map = randomPlane(n, r);
    const d1 = new Uint8Array(n);
    const d2 = new Uint8Array(n);
    jsKernels.mixLevels(d1, levels, map, lut);
    native.mixLevels(d2, levels, map, lut);
    same(d2, d1);
  });

  itNative('refuses mismatched buffers instead of reading past them', () => {
    expect(() => native.blurPlane(new Uint8Array(4), new Uint8Array(16), null, 4, 4, 1)).toThrow(
      /buffer sizes/,
    );
    expect(() =>
      native.mixLevels(new Uint8Array(8), [new Uint8Array(4)], new Uint8Array(8), new Uint16Array(256)),
    ).toThrow(/level/);
  });
});
