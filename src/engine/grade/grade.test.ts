import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type ColorGrade,
  gradeSchema,
  type LookName,
  lookNames,
  type Params,
} from '../../timeline/schema.js';
import { validateTimeline } from '../../timeline/validate.js';
import { yuvaFromRgba } from '../yuv-image.js';
import { compileLut } from './compile-lut.js';
import { parseCube } from './cube-parser.js';
import { createCurve, evalCurve } from './curve.js';
import { vignetteGain } from './effects.js';
import { jsGradeKernels } from './js-grade-kernels.js';
import { looks } from './looks.js';
import { planGrade } from './plan-grade.js';
import { applyStage, createStage, type GradeSpec, KB, KG, KR } from './stage.js';

const params = (grade = 1, look: LookName = 'neutral'): Params => ({
  interpolation: 1,
  cameraSpeed: 1,
  grade,
  look,
});
const grade = (g: Partial<ColorGrade> = {}): ColorGrade => gradeSchema.parse(g);

/** One colour through a spec at full strength. */
function graded(spec: GradeSpec, rgb: [number, number, number], k = 1): number[] {
  const s = createStage(spec, k);
  const c = Float64Array.from(rgb);
  if (s) applyStage(s, c);
  return [...c];
}
const luma = (c: number[]) => KR * c[0]! + KG * c[1]! + KB * c[2]!;

/**
 * An I420 frame of random legal colours (from random RGB, each channel within lo–hi, one colour per
 * `block`² pixels) and one of arbitrary bytes.
 */
function frames(w: number, h: number, lo = 0, hi = 255, block = 1): Uint8Array[] {
  let s = 7;
  const next = () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s >>> 24;
  };
  const colours = Array.from({ length: w * h }, () =>
    [0, 1, 2].map(() => lo + Math.round((next() * (hi - lo)) / 255)),
  );
  const rgba = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const c = colours[Math.floor(y / block) * w + Math.floor(x / block)]!;
      rgba.set([c[0]!, c[1]!, c[2]!, 255], (y * w + x) * 4);
    }
  }
  const img = yuvaFromRgba(rgba, w, h);
  const legal = new Uint8Array([...img.y, ...img.u, ...img.v]);
  const any = Uint8Array.from({ length: legal.length }, next);
  return [legal, any];
}

/** A .cube of `size` points whose entries are f(r, g, b). */
function cubeText(size: number, f: (r: number, g: number, b: number) => (number | string)[]): string {
  const lines = [`LUT_3D_SIZE ${size}`];
  for (let b = 0; b < size; b++)
    for (let g = 0; g < size; g++)
      for (let r = 0; r < size; r++) lines.push(f(r / (size - 1), g / (size - 1), b / (size - 1)).join(' '));
  return lines.join('\n');
}

describe('planGrade', () => {
  it('is null for a timeline without a grade, with a neutral grade, or at params.grade 0', () => {
    expect(planGrade({ params: params() })).toBeNull();
    expect(planGrade({ params: params(), grade: grade() })).toBeNull();
    expect(
      planGrade({ params: params(1, 'neutral'), grade: grade({ curves: { master: [[0.5, 0.5]] } }) }),
    ).toBeNull();
    const strong = grade({
      gamma: 2,
      vignette: { amount: 1, radius: 0.5, softness: 0.5 },
      grain: { amount: 1, size: 2 },
    });
    expect(planGrade({ params: params(0, 'noir'), grade: strong })).toBeNull();
    expect(planGrade({ params: params(0.5, 'noir'), grade: strong })).not.toBeNull();
  });

  it('scales every part by params.grade', () => {
    const g = grade({
      lift: [0.1, 0, -0.1],
      gamma: 4,
      gain: 1.5,
      lut: { src: 'a.cube', strength: 0.8 },
      vignette: { amount: 0.6, radius: 0.8, softness: 0.4 },
      grain: { amount: 0.4, size: 2 },
    });
    const plan = planGrade({ params: params(0.5), grade: g })!;
    expect(plan.grade?.lift).toEqual([0.05, 0, -0.05]);
    expect(plan.grade?.gamma).toEqual([2, 2, 2]);
    expect(plan.grade?.gain).toEqual([1.25, 1.25, 1.25]);
    expect(plan.lut).toEqual({ src: 'a.cube', strength: 0.4 });
    expect(plan.vignette).toEqual({ amount: 0.3, radius: 0.8, softness: 0.4 });
    expect(plan.grain).toEqual({ amount: 0.2, size: 2 });
    expect(plan.look).toBeNull();
  });

  it('has a look for every name, and only neutral is a no-op', () => {
    for (const name of lookNames) {
      expect(looks[name]).toBeDefined();
      expect(planGrade({ params: params(1, name) }) === null).toBe(name === 'neutral');
    }
  });
});

describe('colour operations', () => {
  const grey: [number, number, number] = [0.5, 0.5, 0.5];

  it('temperature and tint tint grey but keep its luminance', () => {
    const warm = graded({ temperature: 0.8 }, grey);
    expect(warm[0]).toBeGreaterThan(warm[2]!);
    const magenta = graded({ tint: 0.8 }, grey);
    expect(magenta[1]).toBeLessThan(magenta[0]!);
    // Luminance (linear light) is what stays: compare in linear.
    const lin = (c: number[]) => KR * c[0]! ** 2.4 + KG * c[1]! ** 2.4 + KB * c[2]! ** 2.4;
    expect(lin(warm)).toBeCloseTo(0.5 ** 2.4, 6);
    expect(lin(magenta)).toBeCloseTo(0.5 ** 2.4, 6);
  });

  it('lift moves black and keeps white; gamma bends the middle; gain scales white', () => {
    expect(graded({ lift: 0.1 }, [0, 0, 0])).toEqual([0.1, 0.1, 0.1]);
    expect(graded({ lift: 0.1 }, [1, 1, 1])).toEqual([1, 1, 1]);
    expect(graded({ gamma: 2 }, grey)[0]).toBeCloseTo(Math.SQRT1_2, 9);
    expect(graded({ gamma: 2 }, [1, 0, 1])).toEqual([1, 0, 1]);
    expect(graded({ gain: [2, 1, 0.5] }, [0.4, 0.4, 0.4])).toEqual([0.8, 0.4, 0.2]);
  });

  it('saturation keeps luma; vibrance favours muted colours', () => {
    const c: [number, number, number] = [0.8, 0.4, 0.2];
    expect(graded({ saturation: 0 }, c).every((v) => Math.abs(v - luma(c)) < 1e-12)).toBe(true);
    expect(luma(graded({ saturation: 2 }, c))).toBeCloseTo(luma(c), 12);
    const spread = (x: number[]) => Math.max(...x) - Math.min(...x);
    const muted: [number, number, number] = [0.5, 0.45, 0.55];
    const vivid: [number, number, number] = [0.9, 0.1, 0.5];
    const gain = (x: [number, number, number]) => spread(graded({ vibrance: 1 }, x)) / spread(x);
    expect(gain(muted)).toBeGreaterThan(gain(vivid));
    expect(gain(vivid)).toBeGreaterThanOrEqual(1);
  });

  it('curves pass through their points, never overshoot, and continue beyond 0–1', () => {
    const s = createCurve([
      [0.25, 0.15],
      [0.75, 0.85],
    ])!;
    expect(evalCurve(s, 0)).toBe(0);
    expect(evalCurve(s, 0.25)).toBeCloseTo(0.15, 12);
    expect(evalCurve(s, 1)).toBe(1);
    let prev = -1;
    for (let x = 0; x <= 1; x += 1 / 256) {
      const y = evalCurve(s, x);
      expect(y).toBeGreaterThanOrEqual(prev);
      expect(y).toBeGreaterThanOrEqual(0);
      expect(y).toBeLessThanOrEqual(1);
      prev = y;
    }
    expect(evalCurve(s, -0.1)).toBeCloseTo(-0.1, 12);
    expect(evalCurve(s, 1.2)).toBeCloseTo(1.2, 12);
    expect(createCurve([[0.5, 0.5]])).toBeNull();
  });

  it('noir is black and white', () => {
    const c = graded(looks.noir, [0.8, 0.3, 0.1]);
    expect(c[0]).toBeCloseTo(c[1]!, 12);
    expect(c[1]).toBeCloseTo(c[2]!, 12);
  });

  it('a look at half strength lies between neutral and the full look', () => {
    const c: [number, number, number] = [0.7, 0.5, 0.3];
    const full = graded(looks['bleach-bypass'], c);
    const half = graded(looks['bleach-bypass'], c, 0.5);
    for (let i = 0; i < 3; i++) {
      expect(half[i]).toBeGreaterThanOrEqual(Math.min(c[i]!, full[i]!) - 1e-9);
      expect(half[i]).toBeLessThanOrEqual(Math.max(c[i]!, full[i]!) + 1e-9);
    }
  });

  it('vignette: untouched in the centre, darkest in the corners', () => {
    const v = { amount: 0.5, radius: 0.85, softness: 0.6 };
    expect(vignetteGain(v, 0.5, 0.5)).toBe(1);
    expect(vignetteGain(v, 0, 0)).toBeLessThan(vignetteGain(v, 0, 0.5));
    expect(vignetteGain(v, 0, 0)).toBeGreaterThanOrEqual(0.5);
  });
});

describe('compileLut', () => {
  it('is null when nothing changes', () => {
    expect(compileLut({ grade: null, look: null, lut: null })).toBeNull();
    const cube = parseCube(cubeText(2, (r, g, b) => [r, g, b]));
    expect(compileLut({ grade: null, look: null, lut: { cube, strength: 0 } })).toBeNull();
  });

  it('an identity .cube leaves every pixel within ±1, legal or not', () => {
    for (const size of [2, 17, 33]) {
      const cube = parseCube(cubeText(size, (r, g, b) => [r, g, b].map((v) => v.toFixed(6))));
      const lut = compileLut({ grade: null, look: null, lut: { cube, strength: 1 } })!;
      for (const frame of frames(64, 36)) {
        const out = Uint8Array.from(frame);
        jsGradeKernels.gradeFrame(out, 64, 36, lut, null, null);
        let worst = 0;
        for (let i = 0; i < out.length; i++) worst = Math.max(worst, Math.abs(out[i]! - frame[i]!));
        expect(worst).toBeLessThanOrEqual(1);
      }
    }
  });

  it('a LUT mixed at strength 0.5 lands halfway', () => {
    const cube = parseCube(cubeText(2, (r, g, b) => [1 - r, 1 - g, 1 - b]));
    const lut = compileLut({ grade: null, look: null, lut: { cube, strength: 0.5 } })!;
    // Inverting at half strength turns everything mid-grey (Y 125.5, neutral chroma). Colours are kept
    // away from the gamut's edges (and constant over each chroma block, so each pixel's Y′CbCr stays
    // a legal colour), where the LUT's clamp at its domain bends the result within a cell.
    const frame = frames(16, 16, 32, 223, 2)[0]!;
    jsGradeKernels.gradeFrame(frame, 16, 16, lut, null, null);
    for (let i = 0; i < 256; i++) expect(Math.abs(frame[i]! - 125.5)).toBeLessThanOrEqual(1);
    for (let i = 256; i < frame.length; i++) expect(Math.abs(frame[i]! - 128)).toBeLessThanOrEqual(1);
  });
});

describe('timeline schema', () => {
  const base = { output: { width: 320, height: 180, duration: 1 }, tracks: [{ clips: [] }] };

  it('accepts a full grade and fills neutral defaults', () => {
    const r = validateTimeline({
      ...base,
      params: { look: 'teal-orange', grade: 0.7 },
      grade: {
        lift: [0, 0.01, 0.02],
        gamma: 1.1,
        curves: {
          master: [[0.25, 0.2]],
          b: [
            [0, 0.05],
            [1, 0.95],
          ],
        },
        lut: { src: 'looks/film.cube' },
        vignette: {},
        grain: { size: 2 },
      },
    });
    expect(r.ok ? [] : r.problems).toEqual([]);
    if (!r.ok) return;
    expect(r.timeline.grade?.gain).toBe(1);
    expect(r.timeline.grade?.lut?.strength).toBe(1);
    expect(r.timeline.grade?.vignette).toEqual({ amount: 0.3, radius: 0.85, softness: 0.6 });
    expect(r.timeline.params.look).toBe('teal-orange');
  });

  it('accepts the example in docs/timeline.md', () => {
    const text = readFileSync(new URL('../../../docs/timeline.md', import.meta.url), 'utf8');
    const section = text.slice(text.indexOf('## Colour grading'));
    const example = /^```json5\n([\s\S]*?)^```$/m.exec(section)?.[1];
    const r = validateTimeline({ ...base, ...JSON.parse(example ?? 'null') });
    expect(r.ok ? [] : r.problems).toEqual([]);
  });

  it('names what is wrong', () => {
    const r = validateTimeline({
      ...base,
      params: { look: 'sepia' },
      grade: {
        temperature: 2,
        curves: {
          master: [
            [0.5, 0.4],
            [0.5, 0.6],
          ],
        },
        grain: { amount: 1, sise: 2 },
      },
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const paths = r.problems.map((p) => p.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'params.look',
        'grade.temperature',
        'grade.curves.master[1][0]',
        'grade.grain.sise',
      ]),
    );
  });
});
