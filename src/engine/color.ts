import type { Adjust } from '../timeline/schema.js';

/** Straight (not premultiplied) RGBA, 0–255 each. */
export type Rgba = readonly [number, number, number, number];

/** Parses #rgb, #rgba, #rrggbb and #rrggbbaa (the schema has already checked the form). */
export function parseColor(hex: string): Rgba {
  let h = hex.slice(1);
  if (h.length <= 4) h = [...h].map((c) => c + c).join('');
  if (h.length === 6) h += 'ff';
  const n = (i: number) => Number.parseInt(h.slice(i, i + 2), 16);
  return [n(0), n(2), n(4), n(6)];
}

// BT.709, limited ("TV") range: what H.264 players expect for HD video, and how the output is tagged.
const KR = 0.2126;
const KB = 0.0722;
const KG = 1 - KR - KB;

/** RGB (0–255) → Y′CbCr BT.709 limited range, rounded. */
export function rgbToYuv(r: number, g: number, b: number): [number, number, number] {
  const y = KR * r + KG * g + KB * b;
  const cb = (b - y) / (2 * (1 - KB));
  const cr = (r - y) / (2 * (1 - KR));
  return [
    clampByte(Math.round(16 + (219 * y) / 255)),
    clampByte(Math.round(128 + (224 * cb) / 255)),
    clampByte(Math.round(128 + (224 * cr) / 255)),
  ];
}

/** Precomputed integer tables for converting whole images quickly (one-time work per source). */
export interface YuvTables {
  yr: Int32Array;
  yg: Int32Array;
  yb: Int32Array;
  ur: Int32Array;
  ug: Int32Array;
  ub: Int32Array;
  vr: Int32Array;
  vg: Int32Array;
  vb: Int32Array;
}

/** Builds 16.16 fixed-point tables for RGB → Y′CbCr (BT.709 limited range). */
export function createYuvTables(): YuvTables {
  const t = (k: number) => {
    const a = new Int32Array(256);
    for (let i = 0; i < 256; i++) a[i] = Math.round(i * k * 65536);
    return a;
  };
  const ys = 219 / 255;
  const cs = 224 / 255;
  return {
    yr: t(KR * ys),
    yg: t(KG * ys),
    yb: t(KB * ys),
    ur: t((-KR / (2 * (1 - KB))) * cs),
    ug: t((-KG / (2 * (1 - KB))) * cs),
    ub: t(0.5 * cs),
    vr: t(0.5 * cs),
    vg: t((-KG / (2 * (1 - KR))) * cs),
    vb: t((-KB / (2 * (1 - KR))) * cs),
  };
}

/** Fixed-point coefficients for Y′CbCr (BT.709 limited) → RGB. */
const YS = Math.round((255 / 219) * 65536);
const RV = Math.round((255 / 224) * 2 * (1 - KR) * 65536);
const GU = Math.round((((255 / 224) * 2 * (1 - KB) * KB) / KG) * 65536);
const GV = Math.round((((255 / 224) * 2 * (1 - KR) * KR) / KG) * 65536);
const BU = Math.round((255 / 224) * 2 * (1 - KB) * 65536);

/** Y′CbCr (BT.709 limited) → RGB, 0–255, written into out[0..2]. */
export function yuvToRgbInto(
  y: number,
  u: number,
  v: number,
  out: Uint8Array | Uint8ClampedArray,
  o: number,
): void {
  const c = (y - 16) * YS;
  const d = u - 128;
  const e = v - 128;
  out[o] = clampByte((c + RV * e + 32768) >> 16);
  out[o + 1] = clampByte((c - GU * d - GV * e + 32768) >> 16);
  out[o + 2] = clampByte((c + BU * d + 32768) >> 16);
}

/** Clamps to 0–255. */
export function clampByte(v: number): number {
  return Math.min(255, Math.max(0, v));
}

/**
 * Look-up tables for brightness, contrast and saturation applied in Y′CbCr, like ffmpeg's `eq`:
 * luma is offset and stretched around mid-grey, chroma is scaled around neutral.
 * Returns null when the adjustment is neutral, so that nothing is touched.
 */
export function adjustmentLuts(a: Pick<Adjust, 'brightness' | 'contrast' | 'saturation'>): {
  y: Uint8Array;
  c: Uint8Array;
} | null {
  if (a.brightness === 0 && a.contrast === 1 && a.saturation === 1) return null;
  const y = new Uint8Array(256);
  const c = new Uint8Array(256);
  for (let i = 0; i < 256; i++) {
    const l = (i - 16) / 219;
    const adjusted = (l - 0.5) * a.contrast + 0.5 + a.brightness;
    y[i] = clampByte(Math.round(16 + adjusted * 219));
    c[i] = clampByte(Math.round(128 + (i - 128) * a.saturation));
  }
  return { y, c };
}
