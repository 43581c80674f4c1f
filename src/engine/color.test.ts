import { describe, expect, it } from 'vitest';
import { adjustmentLuts, clampByte, createYuvTables, parseColor, rgbToYuv, yuvToRgbInto } from './color.js';

describe('parseColor', () => {
  it.each([
    ['#fff', [255, 255, 255, 255]],
    ['#000', [0, 0, 0, 255]],
    ['#f008', [255, 0, 0, 136]],
    ['#336699', [51, 102, 153, 255]],
    ['#33669980', [51, 102, 153, 128]],
    ['#AbCdEf', [171, 205, 239, 255]],
    ['#12345600', [18, 52, 86, 0]],
  ])('%s → %j', (hex, rgba) => {
    expect(parseColor(hex)).toEqual(rgba);
  });
});

describe('rgbToYuv (BT.709, limited range)', () => {
  // The standard 8-bit BT.709 studio-range values of the primaries and their complements.
  it.each([
    ['white', [255, 255, 255], [235, 128, 128]],
    ['black', [0, 0, 0], [16, 128, 128]],
    ['red', [255, 0, 0], [63, 102, 240]],
    ['green', [0, 255, 0], [173, 42, 26]],
    ['blue', [0, 0, 255], [32, 240, 118]],
    ['yellow', [255, 255, 0], [219, 16, 138]],
    ['cyan', [0, 255, 255], [188, 154, 16]],
    ['magenta', [255, 0, 255], [78, 214, 230]],
  ] as const)('%s', (_name, rgb, yuv) => {
    expect(rgbToYuv(rgb[0], rgb[1], rgb[2])).toEqual(yuv);
  });

  it('keeps greys neutral (Cb = Cr = 128)', () => {
    for (let v = 0; v < 256; v += 5) {
      const [y, u, w] = rgbToYuv(v, v, v);
      expect([u, w]).toEqual([128, 128]);
      expect(y).toBe(Math.round(16 + (219 * v) / 255));
    }
  });

  it('the fixed-point tables agree with it within one step', () => {
    const t = createYuvTables();
    for (let r = 0; r < 256; r += 15) {
      for (let g = 0; g < 256; g += 15) {
        for (let b = 0; b < 256; b += 15) {
          const [y, u, v] = rgbToYuv(r, g, b);
          const ty = (1048576 + t.yr[r]! + t.yg[g]! + t.yb[b]! + 32768) >> 16;
          const tu = 128 + (t.ur[r]! + t.ug[g]! + t.ub[b]!) / 65536;
          const tv = 128 + (t.vr[r]! + t.vg[g]! + t.vb[b]!) / 65536;
          expect(Math.abs(ty - y)).toBeLessThanOrEqual(1);
          expect(Math.abs(tu - u)).toBeLessThanOrEqual(1);
          expect(Math.abs(tv - v)).toBeLessThanOrEqual(1);
        }
      }
    }
  });
});

describe('yuvToRgbInto', () => {
  it('round-trips RGB → Y′CbCr → RGB within ±2 per channel', () => {
    const out = new Uint8Array(3);
    let worst = 0;
    for (let r = 0; r < 256; r += 3) {
      for (let g = 0; g < 256; g += 3) {
        for (let b = 0; b < 256; b += 3) {
          const [y, u, v] = rgbToYuv(r, g, b);
          yuvToRgbInto(y, u, v, out, 0);
          worst = Math.max(worst, Math.abs(out[0]! - r), Math.abs(out[1]! - g), Math.abs(out[2]! - b));
        }
      }
    }
    expect(worst).toBeLessThanOrEqual(2);
  });

  it('maps limited-range black and white exactly and clamps values outside the range', () => {
    const out = new Uint8Array(6);
    yuvToRgbInto(16, 128, 128, out, 0);
    yuvToRgbInto(235, 128, 128, out, 3);
    expect([...out]).toEqual([0, 0, 0, 255, 255, 255]);
    yuvToRgbInto(0, 128, 128, out, 0);
    yuvToRgbInto(255, 128, 128, out, 3);
    expect([...out]).toEqual([0, 0, 0, 255, 255, 255]);
  });
});

describe('adjustmentLuts', () => {
  it('is null for the neutral adjustment, so nothing is touched', () => {
    expect(adjustmentLuts({ brightness: 0, contrast: 1, saturation: 1 })).toBeNull();
  });

  it('brightness up raises every luma value below white and leaves chroma alone', () => {
    const luts = adjustmentLuts({ brightness: 0.1, contrast: 1, saturation: 1 })!;
    for (let i = 16; i < 235; i++) expect(luts.y[i]!).toBeGreaterThan(i);
    expect(luts.y[16]).toBe(Math.round(16 + 0.1 * 219));
    for (let i = 0; i < 256; i++) expect(luts.c[i]).toBe(i);
  });

  it('brightness down lowers luma', () => {
    const luts = adjustmentLuts({ brightness: -0.2, contrast: 1, saturation: 1 })!;
    for (let i = 60; i < 256; i++) expect(luts.y[i]!).toBeLessThan(i);
  });

  it('contrast stretches luma around mid-grey, monotonically', () => {
    const luts = adjustmentLuts({ brightness: 0, contrast: 2, saturation: 1 })!;
    const mid = Math.round(16 + 219 / 2);
    expect(Math.abs(luts.y[mid]! - mid)).toBeLessThanOrEqual(1);
    expect(luts.y[60]!).toBeLessThan(60);
    expect(luts.y[200]!).toBeGreaterThan(200);
    for (let i = 1; i < 256; i++) expect(luts.y[i]!).toBeGreaterThanOrEqual(luts.y[i - 1]!);
  });

  it('saturation scales chroma around neutral: 0 greys everything, 2 doubles the distance', () => {
    const grey = adjustmentLuts({ brightness: 0, contrast: 1, saturation: 0 })!;
    for (let i = 0; i < 256; i++) expect(grey.c[i]).toBe(128);
    const vivid = adjustmentLuts({ brightness: 0, contrast: 1, saturation: 2 })!;
    expect(vivid.c[128]).toBe(128);
    expect(vivid.c[148]).toBe(168);
    expect(vivid.c[100]).toBe(72);
    expect(vivid.c[250]).toBe(255);
    expect(vivid.c[5]).toBe(0);
  });
});

describe('clampByte', () => {
  it('clamps to 0–255', () => {
    expect([clampByte(-5), clampByte(0), clampByte(128), clampByte(255), clampByte(300)]).toEqual([
      0, 0, 128, 255, 255,
    ]);
  });
});
