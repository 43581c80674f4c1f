import { createYuvTables, type Rgba, rgbToYuv, yuvToRgbInto } from './color.js';
import { type Kernels, loadKernels } from './kernels/kernels.js';

/**
 * A picture in the compositor's working format: planar Y′CbCr 4:2:0 (BT.709, limited range), the
 * encoder's own input format, so that no colour conversion happens per frame. Chroma planes are
 * ceil(w/2) × ceil(h/2). `a` (full size) and `a2` (chroma size) are present when the picture has
 * transparency; colours under fully transparent pixels are bled from their neighbours so that
 * bilinear sampling never pulls in dark fringes.
 */
export interface YuvaImage {
  w: number;
  h: number;
  y: Uint8Array;
  u: Uint8Array;
  v: Uint8Array;
  a: Uint8Array | null;
  a2: Uint8Array | null;
}

export function chromaSize(n: number): number {
  return (n + 1) >> 1;
}

let packedTables: Int32Array | null = null;

/** createYuvTables packed in the order the rgbaToYuv kernel reads them. */
function yuvTables(): Int32Array {
  if (!packedTables) {
    const t = createYuvTables();
    packedTables = new Int32Array(9 * 256);
    [t.yr, t.yg, t.yb, t.ur, t.ug, t.ub, t.vr, t.vg, t.vb].forEach((table, i) => {
      packedTables!.set(table, i * 256);
    });
  }
  return packedTables;
}

function isOpaque(rgba: Uint8Array | Uint8ClampedArray): boolean {
  for (let o = 3; o < rgba.length; o += 4) if (rgba[o] !== 255) return false;
  return true;
}

/** Converts straight-alpha RGBA (as sharp and canvas produce) into a YuvaImage. */
export function yuvaFromRgba(
  rgba: Uint8Array | Uint8ClampedArray,
  w: number,
  h: number,
  kernels: Kernels = loadKernels(),
): YuvaImage {
  const n = w * h;
  const cn = chromaSize(w) * chromaSize(h);
  const y = new Uint8Array(n);
  const u = new Uint8Array(cn);
  const v = new Uint8Array(cn);
  const opaque = isOpaque(rgba.subarray(0, n * 4));
  const a = opaque ? null : new Uint8Array(n);
  const a2 = opaque ? null : new Uint8Array(cn);
  kernels.rgbaToYuv(rgba, w, h, y, u, v, a, a2, yuvTables());
  if (a && a2) {
    bleed(y, a, w, h);
    bleed(u, a2, chromaSize(w), chromaSize(h));
    bleed(v, a2, chromaSize(w), chromaSize(h));
  }
  return { w, h, y, u, v, a, a2 };
}

/** Two passes of dilation: fully transparent pixels take the mean of their visible neighbours. */
function bleed(plane: Uint8Array, alpha: Uint8Array, w: number, h: number): void {
  const known = new Uint8Array(w * h);
  for (let i = 0; i < known.length; i++) known[i] = alpha[i]! > 0 ? 1 : 0;
  for (let pass = 0; pass < 2; pass++) {
    const next = Uint8Array.from(known);
    for (let yy = 0; yy < h; yy++) {
      for (let xx = 0; xx < w; xx++) {
        const i = yy * w + xx;
        if (known[i]) continue;
        let s = 0;
        let c = 0;
        for (let dy = -1; dy <= 1; dy++) {
          const ny = yy + dy;
          if (ny < 0 || ny >= h) continue;
          for (let dx = -1; dx <= 1; dx++) {
            const nx = xx + dx;
            if (nx < 0 || nx >= w || !known[ny * w + nx]) continue;
            s += plane[ny * w + nx]!;
            c++;
          }
        }
        if (c > 0) {
          plane[i] = Math.round(s / c);
          next[i] = 1;
        }
      }
    }
    known.set(next);
  }
}

/** A solid-colour picture (tiny: the compositor scales it to any size). */
export function solidYuva(color: Rgba, size = 4): YuvaImage {
  const [y, u, v] = rgbToYuv(color[0], color[1], color[2]);
  const cs = chromaSize(size);
  const opaque = color[3] === 255;
  return {
    w: size,
    h: size,
    y: new Uint8Array(size * size).fill(y),
    u: new Uint8Array(cs * cs).fill(u),
    v: new Uint8Array(cs * cs).fill(v),
    a: opaque ? null : new Uint8Array(size * size).fill(color[3]),
    a2: opaque ? null : new Uint8Array(cs * cs).fill(color[3]),
  };
}

/** Converts an I420 frame buffer (Y, then U, then V) into RGBA, for PNG/JPEG output and previews. */
export function i420ToRgba(
  frame: Uint8Array,
  w: number,
  h: number,
  out = new Uint8Array(w * h * 4),
): Uint8Array {
  const cw = w >> 1;
  const uOff = w * h;
  const vOff = uOff + cw * (h >> 1);
  for (let yy = 0; yy < h; yy++) {
    const crow = (yy >> 1) * cw;
    for (let xx = 0; xx < w; xx++) {
      const o = (yy * w + xx) * 4;
      yuvToRgbInto(
        frame[yy * w + xx]!,
        frame[uOff + crow + (xx >> 1)]!,
        frame[vOff + crow + (xx >> 1)]!,
        out,
        o,
      );
      out[o + 3] = 255;
    }
  }
  return out;
}
