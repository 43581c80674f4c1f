import { describe, expect, it } from 'vitest';
import { jsKernels } from '../kernels/js-kernels.js';
import { upscaleFrame } from './upscale.js';

/** An I420 frame w×h whose planes are filled by functions of (x, y). */
function frame(
  w: number,
  h: number,
  y: (x: number, r: number) => number,
  c = 128,
  alpha?: number,
): Uint8Array {
  const cw = w >> 1;
  const ch = h >> 1;
  const f = new Uint8Array(w * h + 2 * cw * ch + (alpha === undefined ? 0 : w * h));
  for (let r = 0; r < h; r++) for (let x = 0; x < w; x++) f[r * w + x] = y(x, r);
  f.fill(c, w * h, w * h + 2 * cw * ch);
  if (alpha !== undefined) f.fill(alpha, w * h + 2 * cw * ch);
  return f;
}

describe('upscaleFrame', () => {
  it('maps pixel centres onto pixel centres (bilinear, edges clamped)', () => {
    const src = frame(2, 2, (x) => (x === 0 ? 0 : 100));
    const dst = new Uint8Array(4 * 4 + 2 * 2 * 2);
    upscaleFrame(jsKernels, src, 2, 2, dst, 4, 4);
    expect([...dst.subarray(0, 4)]).toEqual([0, 25, 75, 100]);
    expect([...dst.subarray(12, 16)]).toEqual([0, 25, 75, 100]);
    expect([...dst.subarray(16)]).toEqual(new Array(8).fill(128));
  });

  it('overwrites the whole frame, and scales the alpha plane when both frames have one', () => {
    const src = frame(4, 2, () => 77, 90, 200);
    const dst = new Uint8Array(8 * 4 + 2 * 4 * 2 + 8 * 4).fill(3);
    upscaleFrame(jsKernels, src, 4, 2, dst, 8, 4);
    expect(new Set(dst.subarray(0, 32))).toEqual(new Set([77]));
    expect(new Set(dst.subarray(32, 48))).toEqual(new Set([90]));
    expect(new Set(dst.subarray(48))).toEqual(new Set([200]));
  });
});
