import { ReelforgeError } from '../errors.js';
import type { Clip, Timeline } from './schema.js';

/** A frame rate as an exact fraction: frames per second = num / den. */
export interface FrameRate {
  num: number;
  den: number;
}

/**
 * The exact fraction behind a frame rate: integers as n/1, the NTSC family written as decimals
 * (23.976, 29.97, 59.94, 119.88) as n·1000/1001, anything else as the nearest fraction with a small
 * denominator. Frame times computed from it never accumulate error.
 */
export function fpsRational(fps: number): FrameRate {
  if (!(fps > 0) || !Number.isFinite(fps)) {
    throw new ReelforgeError('TIMELINE_INVALID', `output.fps: expected a positive number, got ${fps}`, {
      status: 422,
      retryable: false,
    });
  }
  const whole = Math.round(fps);
  if (Math.abs(fps - whole) < 1e-9) return { num: whole, den: 1 };
  const ntsc = Math.round(fps * 1.001);
  if (ntsc > 0 && Math.abs(fps - (ntsc * 1000) / 1001) < 5e-4) return { num: ntsc * 1000, den: 1001 };
  return nearestFraction(fps, 10_000);
}

/** Best rational approximation with a bounded denominator (continued fractions). */
function nearestFraction(x: number, maxDen: number): FrameRate {
  let [h0, h1, k0, k1] = [0, 1, 1, 0];
  let rest = x;
  for (let i = 0; i < 64; i++) {
    const a = Math.floor(rest);
    const [h2, k2] = [a * h1 + h0, a * k1 + k0];
    if (k2 > maxDen) break;
    [h0, h1, k0, k1] = [h1, h2, k1, k2];
    if (Math.abs(x - h1 / k1) < 1e-12 || rest === a) break;
    rest = 1 / (rest - a);
  }
  return { num: h1, den: k1 };
}

/** The frame rate as ffmpeg writes it: `30`, `30000/1001`. */
export function fpsText(fps: number): string {
  const { num, den } = fpsRational(fps);
  return den === 1 ? String(num) : `${num}/${den}`;
}

/** How many frames `duration` seconds take: round(duration · fps), at least 1. */
export function frameCount(duration: number, fps: number): number {
  const { num, den } = fpsRational(fps);
  return Math.max(1, Math.round((duration * num) / den));
}

/** When frame `i` starts, in seconds: exactly i / fps, computed in one step so it never drifts. */
export function frameTime(i: number, fps: number): number {
  const { num, den } = fpsRational(fps);
  return (i * den) / num;
}

/** The frame showing at time `t` (the last frame starting at or before `t`), never negative. */
export function frameAt(t: number, fps: number): number {
  const { num, den } = fpsRational(fps);
  // The epsilon absorbs the rounding of t = i / fps computed elsewhere, far below one frame.
  return Math.max(0, Math.floor((t * num) / den + 1e-7));
}

/** The key of a clip in a map of resolved durations: `"trackIndex.clipIndex"`. */
export function clipKey(trackIndex: number, clipIndex: number): string {
  return `${trackIndex}.${clipIndex}`;
}

/** Resolved durations of clips that do not set their own, keyed by clipKey. */
export type ResolvedDurations = ReadonlyMap<string, number> | Readonly<Record<string, number>>;

function lookup(durations: ResolvedDurations | undefined, key: string): number | undefined {
  if (durations === undefined) return undefined;
  if (durations instanceof Map) return durations.get(key);
  return (durations as Readonly<Record<string, number>>)[key];
}

/**
 * A clip's length in seconds as far as the timeline alone says: `duration`, or for a video clip with
 * `trimEnd`, (trimEnd − trimStart) / speed. Undefined when only the source file knows.
 */
export function clipDuration(clip: Clip, resolved?: number): number | undefined {
  if (clip.duration !== undefined) return clip.duration;
  if (clip.type === 'video' && clip.trimEnd !== undefined)
    return (clip.trimEnd - clip.trimStart) / clip.speed;
  return resolved;
}

/** The duration a video or audio clip gets from its source's length, after trimming and speed. */
export function clipDurationFromSource(clip: Clip, sourceSeconds: number): number {
  if (clip.type === 'video') {
    const end = Math.min(clip.trimEnd ?? sourceSeconds, sourceSeconds);
    return Math.max(0, (end - clip.trimStart) / clip.speed);
  }
  if (clip.type === 'audio') return Math.max(0, sourceSeconds - clip.trimStart);
  return clip.duration;
}

/** Whether a clip decides where the video can end (a looping audio clip without duration does not). */
export function setsLength(clip: Clip): boolean {
  return !(clip.type === 'audio' && clip.loop && clip.duration === undefined);
}

function unresolved(clip: Clip, where: string): ReelforgeError {
  const src = 'src' in clip ? ` (${JSON.stringify(clip.src)})` : '';
  return new ReelforgeError(
    'TIMELINE_DURATION_UNRESOLVED',
    `${where}: the ${clip.type} clip${src} has no duration; probe its source and pass the resolved duration`,
    { status: 500, retryable: false },
  );
}

/** When a clip ends, in seconds; `resolved` is its duration when only the source knows it. */
export function clipEnd(clip: Clip, resolved?: number): number {
  const duration = clipDuration(clip, resolved);
  if (duration === undefined) throw unresolved(clip, 'clip');
  return clip.start + duration;
}

/**
 * The length of the video: `output.duration`, else the end of the last clip. Video and audio clips
 * without a duration take theirs from `durations`, keyed by clipKey(trackIndex, clipIndex).
 */
export function timelineDuration(timeline: Timeline, durations?: ResolvedDurations): number {
  if (timeline.output.duration !== undefined) return timeline.output.duration;
  let end = 0;
  let any = false;
  timeline.tracks.forEach((track, ti) => {
    track.clips.forEach((clip, ci) => {
      if (!setsLength(clip)) return;
      any = true;
      const duration = clipDuration(clip, lookup(durations, clipKey(ti, ci)));
      if (duration === undefined) throw unresolved(clip, `tracks[${ti}].clips[${ci}]`);
      end = Math.max(end, clip.start + duration);
    });
  });
  if (!any) {
    throw new ReelforgeError('TIMELINE_INVALID', 'output.duration: required when no clip sets the length', {
      status: 422,
      retryable: false,
    });
  }
  return end;
}
