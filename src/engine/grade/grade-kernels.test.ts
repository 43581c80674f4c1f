import { describe, expect, it } from 'vitest';
import { grainParams, grainSeed, vignetteMaps } from './effects.js';
import { LUT_LENGTH, loadGradeKernels } from './grade-kernels.js';
import { jsGradeKernels } from './js-grade-kernels.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const i420Bytes = (w: number, h: number) => w * h + 2 * ((w + 1) >> 1) * ((h + 1) >> 1);

function randomBytes(n: number, r: () => number): Uint8Array {
  const p = new Uint8Array(n);
  for (let i = 0; i < n; i++) p[i] = Math.floor(r() * 256);
  return p;
}

/** A LUT of random entries over the whole stored range (0–4096), the hardest case for rounding. */
function randomLut(r: () => number): Uint16Array {
  const lut = new Uint16Array(LUT_LENGTH);
  for (let i = 0; i < lut.length; i++) lut[i] = Math.floor(r() * 4097);
  return lut;
}

describe('grading kernels', () => {
  it('do nothing without a LUT, vignette or grain', () => {
    const frame = randomBytes(i420Bytes(8, 6), rng(1));
    const copy = Uint8Array.from(frame);
    jsGradeKernels.gradeFrame(frame, 8, 6, null, null, null);
    expect(frame).toEqual(copy);
  });

  it('a vignette of gain 1 changes nothing; of gain 0 sends luma to black and chroma to neutral', () => {
    const frame = randomBytes(i420Bytes(8, 6), rng(2));
    const copy = Uint8Array.from(frame);
    jsGradeKernels.gradeFrame(
      frame,
      8,
      6,
      null,
      new Uint16Array(48).fill(4096),
      new Uint16Array(12).fill(4096),
    );
    expect(frame).toEqual(copy);
    jsGradeKernels.gradeFrame(frame, 8, 6, null, new Uint16Array(48), new Uint16Array(12));
    expect([...frame.subarray(0, 48)].every((v) => v === 16)).toBe(true);
    expect([...frame.subarray(48)].every((v) => v === 128)).toBe(true);
  });

  it('grain is the same for the same frame index and differs between frames', () => {
    const base = new Uint8Array(64 * 36).fill(126);
    const { step, gains } = grainParams(0.5, 1.5, 36);
    const a = Uint8Array.from(base);
    const b = Uint8Array.from(base);
    const c = Uint8Array.from(base);
    jsGradeKernels.grainPlane(a, 64, 36, grainSeed(7), step, gains);
    jsGradeKernels.grainPlane(b, 64, 36, grainSeed(7), step, gains);
    jsGradeKernels.grainPlane(c, 64, 36, grainSeed(8), step, gains);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    const mean = a.reduce((s, v) => s + v, 0) / a.length;
    expect(Math.abs(mean - 126)).toBeLessThan(1);
  });

  it('native and JavaScript kernels produce identical bytes', () => {
    const native = loadGradeKernels('native');
    if (native.name !== 'native') {
      // The addon is built by `npm ci`; without a compiler only the JavaScript kernels exist.
      expect(native.name).toBe('javascript');
      return;
    }
    const r = rng(42);
    for (let k = 0; k < 40; k++) {
      // Odd sizes too: the last chroma row or column then covers a single luma row or column.
      const w = 1 + Math.floor(r() * 90);
      const h = 1 + Math.floor(r() * 60);
      const frame = randomBytes(i420Bytes(w, h), r);
      const lut = k % 4 === 3 ? null : randomLut(r);
      const vig = k % 3 === 0 ? null : vignetteMaps({ amount: r(), radius: r() * 1.5, softness: r() }, w, h);
      const f1 = Uint8Array.from(frame);
      const f2 = Uint8Array.from(frame);
      jsGradeKernels.gradeFrame(f1, w, h, lut, vig?.y ?? null, vig?.c ?? null);
      native.gradeFrame(f2, w, h, lut, vig?.y ?? null, vig?.c ?? null);
      expect(Buffer.from(f2).equals(Buffer.from(f1))).toBe(true);

      const { step, gains } = grainParams(r(), 1 + r() * 9, Math.floor(100 + r() * 2000));
      for (let i = 0; i < 256; i++) if (r() < 0.1) gains[i] = 8191;
      const seed = grainSeed(Math.floor(r() * 1e6));
      jsGradeKernels.grainPlane(f1, w, h, seed, step, gains);
      native.grainPlane(f2, w, h, seed, step, gains);
      expect(Buffer.from(f2).equals(Buffer.from(f1))).toBe(true);
    }
  });

  it('the native kernels refuse buffers smaller than their dimensions', () => {
    const native = loadGradeKernels('native');
    if (native.name !== 'native') return;
    expect(() => native.gradeFrame(new Uint8Array(10), 8, 8, null, null, null)).toThrow(/buffer sizes/);
    expect(() => native.gradeFrame(new Uint8Array(96), 8, 8, new Uint16Array(10), null, null)).toThrow(
      /buffer sizes/,
    );
    expect(() => native.grainPlane(new Uint8Array(10), 8, 8, 1, 65536, new Int32Array(256))).toThrow(
      /buffer sizes/,
    );
  });
});
