import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { expectGolden } from '../../../test/helpers/golden.js';
import { makeTempDir, tmpDir } from '../../../test/helpers/paths.js';
import { isReelforgeError } from '../../errors.js';
import { gradeSchema, type LookName, lookNames, paramsSchema, type Timeline } from '../../timeline/schema.js';
import { i420ToRgba, yuvaFromRgba } from '../yuv-image.js';
import { createGrade, type Grade, loadGradeKernels } from './index.js';

/**
 * Golden frames for every look and every effect, applied to a small test card, plus createGrade's
 * file handling. The references live in test/golden/grade-*.png; UPDATE_GOLDEN=1 rewrites them.
 */

const W = 160;
const H = 90;

function hsv(h: number, s: number, v: number): [number, number, number] {
  const f = (n: number) => {
    const k = (n + h / 60) % 6;
    return Math.round(255 * (v - v * s * Math.max(0, Math.min(k, 4 - k, 1))));
  };
  return [f(5), f(3), f(1)];
}

/**
 * The test card: colour bars; a hue sweep losing saturation downwards; patches of skin, sky, foliage,
 * red and greys; a black-to-white ramp.
 */
function testCard(): Uint8Array {
  const bars = [
    [191, 191, 191],
    [191, 191, 0],
    [0, 191, 191],
    [0, 191, 0],
    [191, 0, 191],
    [191, 0, 0],
    [0, 0, 191],
    [255, 255, 255],
  ];
  const patches = [
    [224, 172, 140],
    [141, 85, 36],
    [135, 180, 235],
    [80, 120, 50],
    [200, 60, 50],
    [40, 40, 40],
    [120, 120, 120],
    [200, 200, 200],
  ];
  const rgba = new Uint8Array(W * H * 4);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let c: number[];
      if (y < 28) c = bars[Math.floor(x / 20)]!;
      else if (y < 58) c = hsv((x / W) * 360, 1 - ((y - 28) / 30) * 0.8, 0.95);
      else if (y < 76) c = patches[Math.floor(x / 20)]!;
      else c = [0, 0, 0].map(() => Math.round((x / (W - 1)) * 255));
      rgba.set([c[0]!, c[1]!, c[2]!, 255], (y * W + x) * 4);
    }
  }
  const img = yuvaFromRgba(rgba, W, H);
  const frame = new Uint8Array(W * H * 1.5);
  frame.set(img.y);
  frame.set(img.u, W * H);
  frame.set(img.v, W * H * 1.25);
  return frame;
}

const card = testCard();
type GradeInput = z.input<typeof gradeSchema>;
const timeline = (grade?: GradeInput, look: LookName = 'neutral', intensity = 1): Timeline =>
  ({
    params: paramsSchema.parse({ look, grade: intensity }),
    grade: grade ? gradeSchema.parse(grade) : undefined,
  }) as Timeline;

let dir = '';
const baseDir = () => dir;

/** Writes a .cube of `size` points whose entries are f(r, g, b), returning its name in `dir`. */
function writeCube(name: string, size: number, f: (r: number, g: number, b: number) => number[]): string {
  const lines = ['TITLE "test"', `LUT_3D_SIZE ${size}`];
  for (let b = 0; b < size; b++)
    for (let g = 0; g < size; g++)
      for (let r = 0; r < size; r++)
        lines.push(
          f(r / (size - 1), g / (size - 1), b / (size - 1))
            .map((v) => Math.min(1, Math.max(0, v)).toFixed(6))
            .join(' '),
        );
  writeFileSync(join(dir, name), `${lines.join('\n')}\n`);
  return name;
}

async function graded(t: Timeline, frameIndex = 0): Promise<Uint8Array> {
  const g = await createGrade(t, { baseDir: baseDir(), width: W, height: H });
  expect(g).not.toBeNull();
  const frame = Uint8Array.from(card);
  g!.apply(frame, frameIndex);
  return frame;
}

async function golden(name: string, t: Timeline): Promise<void> {
  await expectGolden(name, i420ToRgba(await graded(t), W, H), W, H);
}

beforeAll(() => {
  mkdirSync(tmpDir, { recursive: true });
  dir = makeTempDir('grade');
  // A warm "print film" LUT: a contrast curve, warm highlights, cooler shadows.
  writeCube('film.cube', 17, (r, g, b) => {
    const s = (v: number) => v * v * (3 - 2 * v);
    return [0.9 * s(r) + 0.1 * r + 0.03, 0.95 * s(g) + 0.05 * g, 0.85 * s(b) + 0.1 * b + 0.04 * (1 - b)];
  });
  writeCube('identity.cube', 33, (r, g, b) => [r, g, b]);
});

describe('grade golden frames', () => {
  it('the test card itself', async () => {
    await expectGolden('grade-card', i420ToRgba(card, W, H), W, H);
  });

  it.each(lookNames.filter((l) => l !== 'neutral'))('look %s', async (look) => {
    await golden(`grade-look-${look}`, timeline(undefined, look));
  });

  const effects: [string, GradeInput][] = [
    ['lift', { lift: [0.08, 0.02, -0.04] }],
    ['gamma', { gamma: 1.6 }],
    ['gain', { gain: [1.2, 1.05, 0.85] }],
    ['temperature', { temperature: 0.7 }],
    ['temperature-cool', { temperature: -0.7 }],
    ['tint', { tint: 0.7 }],
    ['saturation', { saturation: 0.4 }],
    ['vibrance', { vibrance: 1 }],
    [
      'curves',
      {
        curves: {
          master: [
            [0.25, 0.18],
            [0.75, 0.82],
          ],
          b: [[0.5, 0.58]],
        },
      },
    ],
    ['lut', { lut: { src: 'film.cube', strength: 1 } }],
    ['vignette', { vignette: { amount: 0.7, radius: 0.75, softness: 0.6 } }],
    ['grain', { grain: { amount: 0.8, size: 1.5 } }],
  ];
  it.each(effects)('effect %s', async (name, grade) => {
    await golden(`grade-${name}`, timeline(grade));
  });

  it('everything at once, at params.grade 0.6', async () => {
    const all: GradeInput = {
      temperature: 0.2,
      gamma: 1.1,
      vibrance: 0.3,
      curves: { master: [[0.5, 0.55]] },
      lut: { src: 'film.cube', strength: 0.5 },
      vignette: { amount: 0.5, radius: 0.8, softness: 0.6 },
      grain: { amount: 0.3, size: 1.5 },
    };
    await golden('grade-combined', timeline(all, 'teal-orange', 0.6));
  });
});

describe('createGrade', () => {
  it('is null for a neutral grade, so nothing is applied', async () => {
    const opts = { baseDir: baseDir(), width: W, height: H };
    expect(await createGrade(timeline(), opts)).toBeNull();
    expect(await createGrade(timeline({ lut: { src: 'identity.cube', strength: 0 } }), opts)).toBeNull();
    expect(
      await createGrade(timeline({ gamma: 2, grain: { amount: 1, size: 2 } }, 'noir', 0), opts),
    ).toBeNull();
  });

  it('an identity .cube file leaves the frame within ±1', async () => {
    const out = await graded(timeline({ lut: { src: 'identity.cube', strength: 1 } }));
    let worst = 0;
    for (let i = 0; i < out.length; i++) worst = Math.max(worst, Math.abs(out[i]! - card[i]!));
    expect(worst).toBeLessThanOrEqual(1);
  });

  it('grain makes the grade animated and follows the frame index, so preview equals export', async () => {
    const t = timeline({ grain: { amount: 0.5, size: 2 } }, 'warm');
    const g = (await createGrade(t, { baseDir: baseDir(), width: W, height: H })) as Grade;
    expect(g.animated).toBe(true);
    expect(await graded(t, 12)).toEqual(await graded(t, 12));
    expect(await graded(t, 12)).not.toEqual(await graded(t, 13));
    const still = await createGrade(timeline(undefined, 'warm'), { baseDir: baseDir(), width: W, height: H });
    expect(still?.animated).toBe(false);
  });

  it('native and JavaScript kernels grade identically', async () => {
    const native = loadGradeKernels('native');
    if (native.name !== 'native') return;
    const t = timeline(
      { gamma: 1.3, lut: { src: 'film.cube', strength: 0.7 }, vignette: {}, grain: {} },
      'vintage',
    );
    const results = await Promise.all(
      [native, loadGradeKernels('javascript')].map(async (kernels) => {
        const g = await createGrade(t, { baseDir: baseDir(), width: W, height: H, kernels });
        const frame = Uint8Array.from(card);
        g!.apply(frame, 5);
        return frame;
      }),
    );
    expect(Buffer.from(results[0]!).equals(Buffer.from(results[1]!))).toBe(true);
  });

  it('reports a malformed .cube with line numbers, a missing one and a URL', async () => {
    writeFileSync(
      join(dir, 'bad.cube'),
      'LUT_3D_SIZE 2\n0 0 0\n1 0\n0 1 0\n1 1 0\n0 0 1\n1 0 1\n0 1 1\n1 1 1.7\n',
    );
    const opts = { baseDir: baseDir(), width: W, height: H };
    const err = await createGrade(timeline({ lut: { src: 'bad.cube', strength: 1 } }), opts).catch((e) => e);
    expect(isReelforgeError(err, 'LUT_INVALID')).toBe(true);
    expect(err.message).toBe(
      'bad.cube: not a usable .cube LUT (2 problems):\nline 3: expected 3 numbers, got 2\nline 9: value 1.7 outside DOMAIN 0..1',
    );
    const missing = await createGrade(timeline({ lut: { src: 'nope.cube', strength: 1 } }), opts).catch(
      (e) => e,
    );
    expect(isReelforgeError(missing, 'TIMELINE_MEDIA_MISSING')).toBe(true);
    expect(missing.message).toBe('grade.lut.src: file not found: nope.cube');
    const url = await createGrade(timeline({ lut: { src: 'https://x/y.cube', strength: 1 } }), opts).catch(
      (e) => e,
    );
    expect(isReelforgeError(url, 'MEDIA_PROTOCOL_REFUSED')).toBe(true);
  });
});
