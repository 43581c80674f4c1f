import { describe, expect, it } from 'vitest';
import { i420ToRgba } from '../../engine/index.js';
import { i420ToRgb } from './i420-to-rgb.js';

describe('i420ToRgb', () => {
  it('gives the bytes of the engine’s i420ToRgba (without alpha) for every Y, U and V', () => {
    // 256 × 256 luma; each 2×2 block shares one chroma pair: (U, V) runs over a 128 × 128 grid of
    // values, and a second frame with U and V shifted by one covers the odd values.
    const w = 256;
    const h = 256;
    for (const shift of [0, 1]) {
      const frame = new Uint8Array(w * h + 2 * (w / 2) * (h / 2));
      for (let i = 0; i < w * h; i++) frame[i] = (i * 7) & 255;
      const cw = w / 2;
      for (let cy = 0; cy < h / 2; cy++)
        for (let cx = 0; cx < cw; cx++) {
          frame[w * h + cy * cw + cx] = cx * 2 + shift;
          frame[w * h + cw * (h / 2) + cy * cw + cx] = cy * 2 + shift;
        }
      const rgba = i420ToRgba(frame, w, h);
      const rgb = i420ToRgb(frame, w, h);
      const expected = new Uint8Array(w * h * 3);
      for (let p = 0; p < w * h; p++) expected.set(rgba.subarray(p * 4, p * 4 + 3), p * 3);
      expect(Buffer.compare(Buffer.from(rgb.buffer), Buffer.from(expected))).toBe(0);
    }
  });
});
