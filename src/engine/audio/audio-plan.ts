import { ReelforgeError } from '../../errors.js';
import type { AudioClip, Clip, Timeline, VideoClip } from '../../timeline/schema.js';
import { clipDuration, clipDurationFromSource } from '../../timeline/time.js';

/** What the planner needs to know about a source file (from a probe, done beforehand). */
export interface AudioSourceInfo {
  /** Seconds, or null when the container does not say. */
  durationSec: number | null;
  hasAudio: boolean;
}

/** Resolves clip sources to files and answers questions about them; the planner does no I/O. */
export interface AudioPlanContext {
  resolvePath(src: string): string;
  mediaInfo(path: string): AudioSourceInfo;
}

/** A time range of the output, in seconds. */
export interface AudioRange {
  from: number;
  to: number;
}

/** Lower a segment while another track sounds. */
export interface DuckSpec {
  /** The id of the track whose sound triggers ducking. */
  track: string;
  /** Gain while ducked, 0 to 1. */
  level: number;
  /** Seconds. */
  attack: number;
  /** Seconds. */
  release: number;
}

/**
 * One piece of sound placed in the output. Times are output seconds relative to the range start,
 * except `trimStart` and `sourceDuration` (source seconds). The segment consumes `duration × speed`
 * seconds of source from `trimStart`; with `loop` the whole source repeats after its end.
 * Fades are linear ramps: over the first `fadeIn` seconds the gain goes `fadeInFrom` → `fadeInTo`
 * (0 → 1 unless the range cut the clip's fade), over the last `fadeOut` seconds `fadeOutFrom` → `fadeOutTo`.
 */
export interface AudioSegment {
  /** `t<track>.c<clip>`: indexes in the timeline. */
  key: string;
  trackId: string;
  path: string;
  start: number;
  duration: number;
  trimStart: number;
  speed: number;
  volume: number;
  fadeIn: number;
  fadeInFrom: number;
  fadeInTo: number;
  fadeOut: number;
  fadeOutFrom: number;
  fadeOutTo: number;
  loop: boolean;
  sourceDuration: number | null;
  duck?: DuckSpec;
}

/** Everything the mixer needs: the output length and the segments heard in it. */
export interface AudioPlan {
  duration: number;
  segments: AudioSegment[];
}

const EPS = 1e-9;

/** The id ducking refers to: `track.id`, else `track<index>`. */
export function trackIdOf(track: { id?: string | undefined }, index: number): string {
  return track.id ?? `track${index}`;
}

/**
 * A clip's length in seconds, or undefined for "until the end of the timeline" (a looping audio clip
 * without duration, or a source whose length is unknown). Video: `duration`, else up to `trimEnd`,
 * else what remains of the source after `trimStart`, at `speed`.
 */
function clipLength(clip: Clip, ctx: AudioPlanContext): number | undefined {
  const declared = clipDuration(clip);
  if (declared !== undefined) return declared;
  if (clip.type === 'audio' && clip.loop) return undefined;
  if (clip.type !== 'video' && clip.type !== 'audio') return undefined;
  const src = ctx.mediaInfo(ctx.resolvePath(clip.src)).durationSec;
  return src === null ? undefined : clipDurationFromSource(clip, src);
}

/** The length of the output: `output.duration`, else the end of the last clip that has a length. */
export function audioTimelineDuration(timeline: Timeline, ctx: AudioPlanContext): number {
  if (timeline.output.duration !== undefined) return timeline.output.duration;
  let end = 0;
  for (const track of timeline.tracks) {
    for (const clip of track.clips) {
      const length = clipLength(clip, ctx);
      if (length !== undefined) end = Math.max(end, clip.start + length);
    }
  }
  if (end <= 0) {
    throw new ReelforgeError(
      'TIMELINE_INVALID',
      'output.duration: required when no clip has a length (add a clip with a duration or set output.duration)',
      { status: 422, retryable: false },
    );
  }
  return end;
}

/** The range asked for; `to` may pass the end (a last frame that ends after it): silence there. */
function resolveRange(duration: number, range: AudioRange | undefined): AudioRange {
  const from = range?.from ?? 0;
  const to = range?.to ?? duration;
  if (!Number.isFinite(from) || !Number.isFinite(to) || from < 0 || to - from <= EPS || from >= duration) {
    throw new ReelforgeError(
      'RENDER_RANGE_INVALID',
      `range: expected 0 ≤ from < to, from within the timeline's ${duration} s, got from=${range?.from} to=${range?.to}`,
      { status: 422, retryable: false, details: { range, duration } },
    );
  }
  return { from, to };
}

type Audible = AudioClip | VideoClip;

/** The part of one clip heard inside [from, to), or null. */
function segmentOf(
  clip: Audible,
  key: string,
  trackId: string,
  ctx: AudioPlanContext,
  timelineEnd: number,
  range: AudioRange,
): AudioSegment | null {
  if (clip.type === 'video' && clip.muted) return null;
  if (clip.volume <= 0) return null;
  const path = ctx.resolvePath(clip.src);
  const info = ctx.mediaInfo(path);
  if (!info.hasAudio) return null;

  const length = clipLength(clip, ctx);
  const clipStart = clip.start;
  const clipEnd = length === undefined ? timelineEnd : clipStart + length;
  const s = Math.max(clipStart, range.from);
  const e = Math.min(clipEnd, range.to, timelineEnd);
  if (e - s <= EPS) return null;

  const speed = clip.type === 'video' ? clip.speed : 1;
  const loop = clip.type === 'audio' && clip.loop;
  const cut = s - clipStart;
  let trimStart = clip.trimStart + cut * speed;
  if (loop && info.durationSec !== null && info.durationSec > 0) trimStart %= info.durationSec;

  const fadeInLen = clip.type === 'audio' ? clip.fadeIn : 0;
  const fadeOutLen = clip.type === 'audio' ? clip.fadeOut : 0;
  // Ramps are defined on the whole clip; a range keeps the part of each ramp that falls inside it.
  const inEnd = Math.min(e, clipStart + fadeInLen);
  const hasIn = fadeInLen > 0 && inEnd - s > EPS;
  const outStart = Math.max(s, clipEnd - fadeOutLen);
  const hasOut = fadeOutLen > 0 && e - outStart > EPS;

  const segment: AudioSegment = {
    key,
    trackId,
    path,
    start: s - range.from,
    duration: e - s,
    trimStart,
    speed,
    volume: clip.volume,
    fadeIn: hasIn ? inEnd - s : 0,
    fadeInFrom: hasIn ? cut / fadeInLen : 0,
    fadeInTo: hasIn ? (inEnd - clipStart) / fadeInLen : 1,
    fadeOut: hasOut ? e - outStart : 0,
    fadeOutFrom: hasOut ? (clipEnd - outStart) / fadeOutLen : 1,
    fadeOutTo: hasOut ? (clipEnd - e) / fadeOutLen : 0,
    loop,
    sourceDuration: info.durationSec,
  };
  if (clip.type === 'audio' && clip.duck) segment.duck = { ...clip.duck };
  return segment;
}

/**
 * Plans the audio mix of a timeline (or of the range [from, to) of it): which part of which source
 * is heard when, how loud, with which fades. The plan lasts exactly `to − from` seconds. Pure:
 * sources are known through `ctx`.
 */
export function planAudio(timeline: Timeline, ctx: AudioPlanContext, range?: AudioRange): AudioPlan {
  const timelineEnd = audioTimelineDuration(timeline, ctx);
  const r = resolveRange(timelineEnd, range);
  const segments: AudioSegment[] = [];
  timeline.tracks.forEach((track, ti) => {
    const trackId = trackIdOf(track, ti);
    track.clips.forEach((clip, ci) => {
      if (clip.type !== 'audio' && clip.type !== 'video') return;
      const segment = segmentOf(clip, `t${ti}.c${ci}`, trackId, ctx, timelineEnd, r);
      if (segment) segments.push(segment);
    });
  });
  return { duration: r.to - r.from, segments };
}
