import { ease } from './easing.js';
import type { Adjust, Animatable, Camera, Easing, Transition } from './schema.js';

/** Where the camera looks inside a picture: the point in view (fractions) and the zoom (≥ 1). */
export interface CameraState {
  zoom: number;
  x: number;
  y: number;
}

/** A time window in seconds on the timeline. */
export interface TimeWindow {
  start: number;
  end: number;
  duration: number;
}

/** Effective colour adjustments: brightness added (-1..1), contrast and saturation multiplied. */
export interface ColorAdjust {
  brightness: number;
  contrast: number;
  saturation: number;
}

const STILL: CameraState = Object.freeze({ zoom: 1, x: 0.5, y: 0.5 });

interface Key {
  t: number;
  easing?: Easing | undefined;
}

/** Index of the last key with k.t ≤ t (keys sorted by t), or -1 when t is before the first. */
function segmentIndex(keys: readonly Key[], t: number): number {
  let lo = 0;
  let hi = keys.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((keys[mid] as Key).t <= t) [found, lo] = [mid, mid + 1];
    else hi = mid - 1;
  }
  return found;
}

/** Interpolates `pick` between the keys around t, eased by the easing of the segment's starting key. */
function interpolate<K extends Key>(keys: readonly K[], t: number, pick: (k: K) => number): number {
  const i = segmentIndex(keys, t);
  const first = keys[0] as K;
  if (i < 0) return pick(first);
  const a = keys[i] as K;
  const b = keys[i + 1];
  if (b === undefined) return pick(a);
  const span = b.t - a.t;
  const p = span > 0 ? (t - a.t) / span : 1;
  return pick(a) + (pick(b) - pick(a)) * ease(a.easing, p);
}

/**
 * The value of an animatable number at t seconds from the clip's start: before the first keyframe its
 * value, after the last the last value, in between eased by the segment's starting key (default linear).
 */
export function valueAt(a: Animatable, t: number): number {
  return typeof a === 'number' ? a : interpolate(a, t, (k) => k.value);
}

/**
 * The camera at t seconds into a clip of `clipDuration`. `{ from, to, easing }` moves over the whole
 * clip; keyframes interpolate like valueAt. `cameraSpeed` scales how far the camera travels from its
 * first position: x, y linearly, zoom geometrically (0 = still, 1 = as written, 2 = twice as far).
 * Zoom never goes below 1 and x, y stay within the picture's 0..1.
 */
export function cameraAt(
  camera: Camera | undefined,
  clipDuration: number,
  t: number,
  cameraSpeed = 1,
): CameraState {
  if (camera === undefined) return STILL;
  let first: CameraState;
  let now: CameraState;
  if ('keyframes' in camera) {
    const keys = camera.keyframes;
    first = keys[0] ?? STILL;
    now = {
      zoom: interpolate(keys, t, (k) => k.zoom),
      x: interpolate(keys, t, (k) => k.x),
      y: interpolate(keys, t, (k) => k.y),
    };
  } else {
    first = camera.from;
    const p = ease(camera.easing, clipDuration > 0 ? t / clipDuration : 1);
    const { from, to } = camera;
    now = {
      zoom: from.zoom + (to.zoom - from.zoom) * p,
      x: from.x + (to.x - from.x) * p,
      y: from.y + (to.y - from.y) * p,
    };
  }
  if (cameraSpeed !== 1) {
    now = {
      zoom: first.zoom * (now.zoom / first.zoom) ** cameraSpeed,
      x: first.x + (now.x - first.x) * cameraSpeed,
      y: first.y + (now.y - first.y) * cameraSpeed,
    };
  }
  return { zoom: Math.max(1, now.zoom), x: clamp01(now.x), y: clamp01(now.y) };
}

function clamp01(v: number): number {
  return Math.min(1, Math.max(0, v));
}

/**
 * The window in which a transition actually plays. The written window is the first `duration` seconds
 * of the clip (`in`) or the last (`out`); params.interpolation scales its length around its middle, so
 * 0 is a hard cut at the middle of the written window.
 */
export function transitionWindow(
  tr: Pick<Transition, 'duration'>,
  clipStart: number,
  clipDuration: number,
  side: 'in' | 'out',
  interpolation: number,
): TimeWindow {
  const written = Math.min(tr.duration, clipDuration);
  const writtenStart = side === 'in' ? clipStart : clipStart + clipDuration - written;
  const middle = writtenStart + written / 2;
  const duration = written * Math.min(1, Math.max(0, interpolation));
  return { start: middle - duration / 2, end: middle + duration / 2, duration };
}

/**
 * How far a transition has run at timeline time t: 0 before its window, 1 after, eased in between by the
 * transition's easing. For `in`, 1 means the clip is fully shown; for `out`, 1 means it is fully gone.
 * With a zero-length window (interpolation 0) it steps from 0 to 1 at the window's middle.
 */
export function transitionProgress(
  tr: Pick<Transition, 'duration' | 'easing'>,
  clipStart: number,
  clipDuration: number,
  side: 'in' | 'out',
  interpolation: number,
  t: number,
): number {
  const w = transitionWindow(tr, clipStart, clipDuration, side, interpolation);
  // Slack for frame times computed in floating point (a window ending at 0.3 s ends before frame 9 at 30 fps).
  if (t < w.start - 1e-6) return 0;
  if (t >= w.end - 1e-6) return 1;
  return ease(tr.easing, Math.min(1, Math.max(0, (t - w.start) / w.duration)));
}

/**
 * Colour adjustments as applied: each moves from neutral (brightness 0, contrast 1, saturation 1)
 * towards the written value in proportion to params.grade (0 = none, 1 = as written).
 */
export function adjustFor(adjust: Partial<Adjust> | undefined, grade: number): ColorAdjust {
  const g = Math.max(0, grade);
  return {
    brightness: (adjust?.brightness ?? 0) * g,
    contrast: 1 + ((adjust?.contrast ?? 1) - 1) * g,
    saturation: 1 + ((adjust?.saturation ?? 1) - 1) * g,
  };
}
