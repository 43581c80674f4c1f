import { valueAt } from '../../timeline/animate.js';
import type { Timeline, VisualClip } from '../../timeline/schema.js';

/**
 * Depth of field, the pure part: each layer has a depth (0 near … 1 far); params.depthOfField puts a
 * focus plane somewhere in it, and a layer blurs in proportion to its distance from that plane.
 * Blurring happens on prepared pictures, at a few precomputed levels mixed per frame.
 */

/** Blur (Gaussian sigma) at strength 1 and depth distance 1, as a fraction of the drawn frame height. */
export const DOF_MAX_SIGMA = 0.03;

/** Box radii of the blur levels; level k ≥ 1 has radius 2^(k−1), level 0 is the sharp picture. */
export const LEVEL_RADII: readonly number[] = [0, 1, 2, 4, 8, 16, 32, 64];

/** Sigma of a three-pass box blur of radius r: √(r(r+1)). */
export function levelSigma(k: number): number {
  const r = LEVEL_RADII[k] ?? 0;
  return Math.sqrt(r * (r + 1));
}

/** The depth of field a layer is drawn with. */
export interface LayerDof {
  depth: number;
  focus: number;
  strength: number;
}

/**
 * Default depth of each track: visual tracks spread from 1 (the bottom one, far) to 0 (the top
 * one, near), so that titles stay sharp with the default focus of 0; `track.depth` overrides.
 */
export function trackDepths(timeline: Timeline): number[] {
  const visual = timeline.tracks.map((t) => t.clips.some((c) => c.type !== 'audio'));
  const count = visual.filter(Boolean).length;
  let seen = 0;
  return timeline.tracks.map((track, i) => {
    const order = visual[i] ? seen++ : seen;
    const byOrder = count > 1 ? 1 - Math.min(order, count - 1) / (count - 1) : 0;
    return track.depth ?? byOrder;
  });
}

/** The depth of field of one clip at `t` (timeline seconds), or null when it is off. */
export function layerDof(
  timeline: Timeline,
  clip: VisualClip,
  trackDepth: number,
  t: number,
): LayerDof | null {
  const dof = timeline.params.depthOfField;
  if (!dof?.enabled || dof.strength <= 0) return null;
  const depth = clip.depth === undefined ? trackDepth : valueAt(clip.depth, t - clip.start);
  return { depth: clamp01(depth), focus: clamp01(valueAt(dof.focus, t)), strength: dof.strength };
}

/** How blurred a depth is, 0–1 (before scaling by DOF_MAX_SIGMA). */
export function blurAmount(depth: number, focus: number, strength: number): number {
  return Math.min(1, Math.abs(depth - focus) * strength);
}

/**
 * The blur level position for a sigma in picture pixels: level k plus the fraction towards k + 1,
 * in 1/256 steps as the mixing kernels take it (`k << 8 | fraction`). Capped at the last level.
 */
export function levelPosition(sigma: number): number {
  if (!(sigma > 0)) return 0;
  const last = LEVEL_RADII.length - 1;
  for (let k = 0; k < last; k++) {
    const a = levelSigma(k);
    const b = levelSigma(k + 1);
    if (sigma < b) return (k << 8) | Math.min(255, Math.round(((sigma - a) / (b - a)) * 256));
  }
  return last << 8;
}

/** The levels a position reads: k, and k + 1 when it has a fraction. */
export function levelsOf(position: number): number[] {
  const k = position >> 8;
  return (position & 255) === 0 ? [k] : [k, k + 1];
}

function clamp01(v: number): number {
  return Math.min(1, Math.max(0, v));
}
