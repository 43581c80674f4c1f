import { transitionWindow } from '../../timeline/animate.js';
import type { Timeline } from '../../timeline/schema.js';
import type { ClipRef, Layer } from '../layers.js';

/** One morph transition to prepare: the frames it goes between and how many steps it takes. */
export interface MorphPlan {
  ref: ClipRef;
  side: 'in' | 'out';
  /** The frame the morph starts from: the stack up to this clip at `at`, the clip itself included or not. */
  from: { at: number; withClip: boolean };
  to: { at: number; withClip: boolean };
  /** In-between steps: the written window at the output rate. */
  steps: number;
}

/**
 * Every morph transition of a timeline, planned over its written window (interpolation 1), so that
 * the prepared frames serve any params.interpolation: a shorter window just steps through them
 * faster. A morph in goes from what is under the clip to the clip; a morph out the other way.
 */
export function planMorphs(timeline: Timeline, fps: number, duration: (ref: ClipRef) => number): MorphPlan[] {
  const plans: MorphPlan[] = [];
  timeline.tracks.forEach((track, ti) => {
    track.clips.forEach((clip, ci) => {
      if (clip.type === 'audio') return;
      const ref = { track: ti, index: ci, key: `t${ti}.c${ci}` };
      const d = duration(ref);
      for (const side of ['in', 'out'] as const) {
        const tr = side === 'in' ? clip.transitionIn : clip.transitionOut;
        if (tr?.type !== 'morph') continue;
        const w = transitionWindow(tr, clip.start, d, side, 1);
        // The last instant inside both the window and the clip.
        const end = Math.min(w.end, clip.start + d) - 1e-6;
        plans.push({
          ref,
          side,
          from: { at: w.start, withClip: side === 'out' },
          to: { at: end, withClip: side === 'in' },
          steps: Math.max(1, Math.round(w.duration * fps)),
        });
      }
    });
  });
  return plans;
}

/** The layers a morph frame is made of: those under the clip (and the clip's own when asked), no morphs. */
export function stackUpTo(layers: readonly Layer[], ref: ClipRef, withClip: boolean): Layer[] {
  return layers.filter((l) => {
    if (l.morph) return false;
    if (l.ref.track !== ref.track) return l.ref.track < ref.track;
    return withClip ? l.ref.index <= ref.index : l.ref.index < ref.index;
  });
}

/**
 * What is drawn of a frame's layers: a fully opaque morph frame covers everything under it, so the
 * layers below the last one are dropped; with morphs off, morph layers are dropped (crossfades).
 */
export function cullUnderMorph(layers: readonly Layer[], morphs: boolean): readonly Layer[] {
  if (!morphs) return layers.some((l) => l.morph) ? layers.filter((l) => !l.morph) : layers;
  let top = -1;
  for (let i = 0; i < layers.length; i++) if (layers[i]!.morph && layers[i]!.opacity >= 1) top = i;
  return top > 0 ? layers.slice(top) : layers;
}
