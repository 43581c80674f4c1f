import { createHash } from 'node:crypto';
import type { Timeline } from '../../timeline/schema.js';
import { frameAt, frameTime } from '../../timeline/time.js';
import { clipsAt, indexTimeline } from './timeline-index.js';
import type { FrameFormat, Quality } from './types.js';

/** What identifies a cached frame and what it was made of. */
export interface FrameKey {
  key: string;
  /** The output frame index the time falls in. */
  frame: number;
  /** When that frame starts: the time actually rendered (the exported frame). */
  frameTime: number;
  /** Ids of the clips the frame depends on. */
  deps: string[];
}

/**
 * The cache key of a frame: a hash of the parts of the timeline that decide the picture at that
 * time (the clips showing, including morph windows; output, params, grade, track depths), the
 * quality, the format and the output frame index. Two sessions on the same timeline share keys, and
 * an edit elsewhere in the timeline leaves the key alone.
 */
export function frameKey(timeline: Timeline, time: number, quality: Quality, format: FrameFormat): FrameKey {
  const index = indexTimeline(timeline);
  const frame = frameAt(time, timeline.output.fps);
  const at = frameTime(frame, timeline.output.fps);
  const clips = clipsAt(index, at);
  const h = createHash('sha1').update(index.global).update(`\0${quality}\0${format}\0${frame}`);
  // Position matters too: the stack order is track, then index within the track.
  for (const c of clips) h.update(`\0${c.track}.${c.index}\0`).update(c.json);
  return { key: h.digest('base64url'), frame, frameTime: at, deps: clips.map((c) => c.id) };
}

/** A stable hash of a whole timeline (which warm Renderer in a worker can serve it). */
export function timelineHash(timeline: Timeline): string {
  const memo = hashes.get(timeline);
  if (memo) return memo;
  const h = createHash('sha1').update(JSON.stringify(timeline)).digest('base64url');
  hashes.set(timeline, h);
  return h;
}

const hashes = new WeakMap<Timeline, string>();

/** A hash of a timeline's global part (output, params, grade, tracks): its frames' cache group. */
export function cacheGroup(timeline: Timeline): string {
  const index = indexTimeline(timeline);
  index.globalHash ??= createHash('sha1').update(index.global).digest('base64url');
  return index.globalHash;
}
