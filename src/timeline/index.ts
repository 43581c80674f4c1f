/** The timeline document model: schema, validation, animation, easing, frame math, profiles. No I/O. */

export {
  adjustFor,
  type CameraState,
  type ColorAdjust,
  cameraAt,
  type TimeWindow,
  transitionProgress,
  transitionWindow,
  valueAt,
} from './animate.js';
export {
  assertTimelineMedia,
  checkTimelineMedia,
  type MediaCheckDeps,
  type MediaCheckOptions,
  type MediaProblem,
} from './check-timeline-media.js';
export { type CubicBezier, cubicBezierAt, ease, easingBezier, namedBeziers } from './easing.js';
export { TIMELINE_SCHEMA_ID, timelineJsonSchema } from './json-schema.js';
export { formatProblem, type TimelineProblem } from './problems.js';
export {
  type EncoderSettings,
  encoderSettings,
  type QualityProfile,
  type QualityProfileName,
  qualityProfiles,
  type X264Preset,
} from './profiles.js';
export * from './schema.js';
export {
  clipDuration,
  clipDurationFromSource,
  clipEnd,
  clipKey,
  type FrameRate,
  fpsRational,
  fpsText,
  frameAt,
  frameCount,
  frameTime,
  type ResolvedDurations,
  setsLength,
  timelineDuration,
} from './time.js';
export {
  type ParseTimelineOptions,
  parseTimeline,
  parseTimelineJson,
  type TimelineValidation,
  validateTimeline,
} from './validate.js';
