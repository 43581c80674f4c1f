import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { GradeKernels } from './grade-kernel-types.js';
import { jsGradeKernels } from './js-grade-kernels.js';

export { type GradeKernels, LUT_LENGTH, LUT_POINTS } from './grade-kernel-types.js';

/** The native grading kernels when `build/Release/reelforge_grade.node` was built, else JavaScript. */
export function loadGradeKernels(prefer: 'native' | 'javascript' = 'native'): GradeKernels {
  if (prefer === 'javascript') return jsGradeKernels;
  const file = join(import.meta.dirname, '..', '..', '..', 'build', 'Release', 'reelforge_grade.node');
  if (!existsSync(file)) return jsGradeKernels;
  try {
    const addon = createRequire(import.meta.url)(file) as Omit<GradeKernels, 'name'>;
    return { name: 'native', gradeFrame: addon.gradeFrame, grainPlane: addon.grainPlane };
  } catch {
    return jsGradeKernels;
  }
}
