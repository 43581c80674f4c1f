export { type AudioMixCodec, type AudioMixOptions, buildAudioMixArgs } from './audio-args.js';
export { buildAudioFilterGraph } from './audio-graph.js';
export {
  type AudioPlan,
  type AudioPlanContext,
  type AudioRange,
  type AudioSegment,
  type AudioSourceInfo,
  audioTimelineDuration,
  type DuckSpec,
  planAudio,
  trackIdOf,
} from './audio-plan.js';
export {
  type RenderAudioOptions,
  type RenderAudioResult,
  renderAudioMix,
  toAudioSourceInfo,
} from './render-audio.js';
export { atempoChain } from './segment-filters.js';
