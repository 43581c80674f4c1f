import type { Timeline } from '../../timeline/schema.js';
import type { VignetteSpec } from './effects.js';
import { looks } from './looks.js';
import { createStage, type Stage } from './stage.js';

/** What a timeline's grade amounts to at its params.grade, before any file is read. */
export interface GradePlan {
  grade: Stage | null;
  look: Stage | null;
  /** The `.cube` file (as written in the timeline) and its strength × params.grade. */
  lut: { src: string; strength: number } | null;
  vignette: VignetteSpec | null;
  grain: { amount: number; size: number } | null;
}

/**
 * Resolves the timeline's `grade` object and `params.look` at intensity `params.grade`: every part
 * moves from neutral towards its written value. Returns null when the result changes nothing.
 */
export function planGrade(timeline: Pick<Timeline, 'params' | 'grade'>): GradePlan | null {
  const k = Math.min(1, Math.max(0, timeline.params.grade ?? 1));
  const g = timeline.grade;
  const lookSpec = looks[timeline.params.look ?? 'neutral'];
  const plan: GradePlan = {
    grade: g ? createStage(g, k) : null,
    look: createStage(lookSpec, k),
    lut: g?.lut && g.lut.strength * k > 0 ? { src: g.lut.src, strength: g.lut.strength * k } : null,
    vignette:
      g?.vignette && g.vignette.amount * k > 0 ? { ...g.vignette, amount: g.vignette.amount * k } : null,
    grain: g?.grain && g.grain.amount * k > 0 ? { amount: g.grain.amount * k, size: g.grain.size } : null,
  };
  const empty = !plan.grade && !plan.look && !plan.lut && !plan.vignette && !plan.grain;
  return empty ? null : plan;
}
