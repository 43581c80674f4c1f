import type { Timeline } from '../../timeline/schema.js';

/** How much work the effects may take: the preview's levels are cheaper than export's `full`. */
export type QualityLevel = 'preview' | 'high' | 'full';

export interface EffectsQuality {
  /** Most motion-blur samples per frame. */
  motionBlurSamples: number;
  /** Fewer samples where the motion within the shutter is small (a sample per pixel of travel). */
  adaptiveSamples: boolean;
  /** Motion-compensated morphs (ffmpeg minterpolate at prepare time); false draws them as crossfades. */
  morph: boolean;
}

export const QUALITY_LEVELS: Readonly<Record<QualityLevel, Readonly<EffectsQuality>>> = Object.freeze({
  preview: { motionBlurSamples: 3, adaptiveSamples: true, morph: true },
  high: { motionBlurSamples: 5, adaptiveSamples: true, morph: true },
  full: { motionBlurSamples: 8, adaptiveSamples: true, morph: true },
});

/** A level name or explicit knobs (over `full`), resolved into knobs. */
export function resolveQuality(q: QualityLevel | Partial<EffectsQuality> | undefined): EffectsQuality {
  if (typeof q === 'string') return { ...QUALITY_LEVELS[q] };
  const knobs = { ...QUALITY_LEVELS.full, ...q };
  return { ...knobs, motionBlurSamples: Math.min(64, Math.max(1, Math.round(knobs.motionBlurSamples))) };
}

/** The effect parameters of a timeline with their neutral defaults filled in. */
export interface EffectParams {
  motionBlur: number;
  resolutionScale: number;
}

export function effectParams(timeline: Timeline): EffectParams {
  return {
    motionBlur: timeline.params.motionBlur ?? 0,
    resolutionScale: timeline.params.resolutionScale ?? 1,
  };
}
