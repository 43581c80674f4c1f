import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { ReelforgeError } from '../../errors.js';
import type { Timeline } from '../../timeline/schema.js';
import { compileLut } from './compile-lut.js';
import { type CubeLut, parseCube } from './cube-parser.js';
import { grainParams, grainSeed, vignetteMaps } from './effects.js';
import { type GradeKernels, loadGradeKernels } from './grade-kernels.js';
import { planGrade } from './plan-grade.js';

export { type CubeLut, type CubeProblem, parseCube, sampleCube } from './cube-parser.js';
export { type GradeKernels, loadGradeKernels } from './grade-kernels.js';
export { looks } from './looks.js';
export { type GradePlan, planGrade } from './plan-grade.js';

/** A timeline's colour grade, ready to apply to frames of one size. */
export interface Grade {
  /**
   * True when frames differ even where the composite does not (film grain): a renderer must then not
   * reuse a previous frame for an identical composite.
   */
  readonly animated: boolean;
  /** Grades one I420 frame (width × height) in place; `frameIndex` seeds the grain. */
  apply(frame: Uint8Array, frameIndex: number): void;
}

export interface GradeOptions {
  /** Folder that a relative `grade.lut.src` is resolved against (the timeline file's folder). */
  baseDir: string;
  /** Size of the frames to grade (the renderer's, after any resolution scale). */
  width: number;
  height: number;
  kernels?: GradeKernels;
}

/** Largest `.cube` file read (a 256-point LUT as text is about 400 MB). */
const MAX_CUBE_BYTES = 512 * 2 ** 20;

/**
 * Prepares the timeline's grade (`grade` object, `params.look`, both at `params.grade`) for frames of
 * one size: reads and checks the `.cube` file, compiles every colour operation into one LUT and
 * precomputes the vignette. Returns null when the grade changes nothing, so nothing need be applied.
 * Throws LUT_INVALID for a malformed `.cube` and TIMELINE_MEDIA_MISSING when it does not exist.
 */
export async function createGrade(
  timeline: Pick<Timeline, 'params' | 'grade'>,
  options: GradeOptions,
): Promise<Grade | null> {
  const plan = planGrade(timeline);
  if (!plan) return null;
  const { width: w, height: h } = options;
  const cube = plan.lut ? await loadCube(options.baseDir, plan.lut.src) : null;
  const lut = compileLut({
    grade: plan.grade,
    look: plan.look,
    lut: cube && plan.lut ? { cube, strength: plan.lut.strength } : null,
  });
  const vignette = plan.vignette ? vignetteMaps(plan.vignette, w, h) : null;
  const grain = plan.grain ? grainParams(plan.grain.amount, plan.grain.size, h) : null;
  if (!lut && !vignette && !grain) return null;
  const k = options.kernels ?? loadGradeKernels();
  const bytes = w * h + 2 * ((w + 1) >> 1) * ((h + 1) >> 1);
  return {
    animated: grain !== null,
    apply(frame, frameIndex) {
      if (frame.length < bytes) {
        throw new ReelforgeError(
          'INTERNAL',
          `grade: expected an I420 frame of ${bytes} bytes, got ${frame.length}`,
        );
      }
      if (lut || vignette) k.gradeFrame(frame, w, h, lut, vignette?.y ?? null, vignette?.c ?? null);
      if (grain) k.grainPlane(frame, w, h, grainSeed(frameIndex), grain.step, grain.gains);
    },
  };
}

/** Reads and parses a `.cube` file named in the timeline (a local path; URLs are refused). */
export async function loadCube(baseDir: string, src: string): Promise<CubeLut> {
  const where = 'grade.lut.src';
  if (/^[a-z][a-z0-9+.-]*:/i.test(src) && !/^[a-z]:[\\/]/i.test(src)) {
    throw new ReelforgeError(
      'MEDIA_PROTOCOL_REFUSED',
      `${where} ${JSON.stringify(src)}: only local files can be used`,
      {
        status: 422,
        retryable: false,
      },
    );
  }
  const path = isAbsolute(src) ? src : resolve(baseDir, src);
  const info = await stat(path).catch(() => null);
  if (!info?.isFile()) {
    throw new ReelforgeError('TIMELINE_MEDIA_MISSING', `${where}: file not found: ${src}`, {
      status: 422,
      retryable: false,
      details: [{ path: where, kind: 'missing', message: `file not found: ${src}`, received: src }],
    });
  }
  if (info.size > MAX_CUBE_BYTES) {
    throw new ReelforgeError(
      'LUT_INVALID',
      `${src}: ${info.size} bytes is larger than a .cube LUT can be (512 MiB)`,
      {
        status: 422,
        retryable: false,
        details: [{ message: `file larger than ${MAX_CUBE_BYTES} bytes` }],
      },
    );
  }
  return parseCube(await readFile(path, 'utf8'), src);
}
