import { type CubeLut, sampleCube } from './cube-parser.js';
import { LUT_LENGTH, LUT_POINTS } from './grade-kernel-types.js';
import { applyStage, KB, KG, KR, type Stage } from './stage.js';

/** The colour part of a grade: applied in this order to every colour. */
export interface ColorPipeline {
  /** The timeline's `grade` object at params.grade. */
  grade: Stage | null;
  /** A `.cube` LUT mixed in by `strength` (0–1). */
  lut: { cube: CubeLut; strength: number } | null;
  /** The named look at params.grade. */
  look: Stage | null;
}

const SPACING = 8;

/**
 * Compiles the colour pipeline into one Y′CbCr → Y′CbCr LUT for the grading kernels: each node (code
 * values 0, 8, …, 256 on each axis) is converted to R′G′B′ (BT.709, limited range), graded, and
 * converted back, stored × 16 (see LUT_LENGTH for the layout). Returns null when nothing changes.
 */
export function compileLut(p: ColorPipeline): Uint16Array | null {
  const lut = p.lut && p.lut.strength > 0 ? p.lut : null;
  if (!p.grade && !lut && !p.look) return null;
  const n = LUT_POINTS;
  const plane = n * n * n;
  const out = new Uint16Array(LUT_LENGTH);
  const c = new Float64Array(3);
  const l = new Float64Array(3);
  const store = (v: number) => {
    const q = Math.round(v * 16);
    return Math.min(4096, Math.max(0, q));
  };
  for (let iv = 0; iv < n; iv++) {
    const cr = (iv * SPACING - 128) / 224;
    for (let iu = 0; iu < n; iu++) {
      const cb = (iu * SPACING - 128) / 224;
      for (let iy = 0; iy < n; iy++) {
        const y = (iy * SPACING - 16) / 219;
        const r = y + 2 * (1 - KR) * cr;
        const b = y + 2 * (1 - KB) * cb;
        c[0] = r;
        c[1] = (y - KR * r - KB * b) / KG;
        c[2] = b;
        if (p.grade) applyStage(p.grade, c);
        if (lut) {
          const { cube, strength: s } = lut;
          const r0 = c[0]!;
          const g0 = c[1]!;
          const b0 = c[2]!;
          sampleCube(cube, r0, g0, b0, l);
          c[0] = r0 + (l[0]! - r0) * s;
          c[1] = g0 + (l[1]! - g0) * s;
          c[2] = b0 + (l[2]! - b0) * s;
        }
        if (p.look) applyStage(p.look, c);
        const y2 = KR * c[0]! + KG * c[1]! + KB * c[2]!;
        const i = (iv * n + iu) * n + iy;
        out[i] = store(16 + 219 * y2);
        out[plane + i] = store(128 + (224 * (c[2]! - y2)) / (2 * (1 - KB)));
        out[2 * plane + i] = store(128 + (224 * (c[0]! - y2)) / (2 * (1 - KR)));
      }
    }
  }
  return out;
}
