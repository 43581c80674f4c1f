import { TIME_EPSILON } from '../../engine/layers.js';
import { transitionWindow } from '../../timeline/animate.js';
import type { Timeline, VisualClip } from '../../timeline/schema.js';
import { clipDuration } from '../../timeline/time.js';

/** A visual clip as the preview cache sees it: where it is, when it shows, and its content as JSON. */
export interface IndexedClip {
  /** `clip.id` when set (stable across inserts), else its position `t<track>.c<index>`. */
  id: string;
  track: number;
  index: number;
  clip: VisualClip;
  start: number;
  /** When it ends; Infinity when only its source file knows (a video without duration or trimEnd). */
  end: number;
  /** Morph transitions draw in-betweens of frames elsewhere in their window: those windows. */
  morphWindows: Array<[number, number]>;
  json: string;
}

/** A timeline split into what affects every frame (`global`) and what affects only some (`clips`). */
export interface TimelineIndex {
  /** JSON of output, params, grade and the tracks' own fields: when it changes, every frame changes. */
  global: string;
  /** A hash of `global`, filled in when first needed. */
  globalHash?: string;
  clips: IndexedClip[];
  /** The end of the last clip whose end is known, or output.duration. */
  knownDuration: number;
  /** Every media file the visual clips read (sources and depth maps), sorted, once each. */
  media: string[];
  /** A hash of `media`, filled in when first needed. */
  mediaHash?: string;
}

const cache = new WeakMap<Timeline, TimelineIndex>();

function morphWindows(clip: VisualClip, start: number, end: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const side of ['in', 'out'] as const) {
    const tr = side === 'in' ? clip.transitionIn : clip.transitionOut;
    if (tr?.type !== 'morph') continue;
    if (!Number.isFinite(end)) {
      // The window of an unknown-length clip's `out` is somewhere after its start.
      out.push(side === 'in' ? [start, start + tr.duration] : [start, Number.POSITIVE_INFINITY]);
      continue;
    }
    // Planned at interpolation 1 (see engine/effects/morph-plan.ts), whatever params.interpolation is.
    const w = transitionWindow(tr, start, end - start, side, 1);
    out.push([w.start, w.end]);
  }
  return out;
}

/**
 * Indexes a timeline for cache keys and invalidation (memoised per timeline object: sessions keep
 * the same object until it changes). Audio clips are left out: they never change a picture.
 */
export function indexTimeline(timeline: Timeline): TimelineIndex {
  const hit = cache.get(timeline);
  if (hit) return hit;
  const clips: IndexedClip[] = [];
  let knownEnd = 0;
  timeline.tracks.forEach((track, ti) => {
    track.clips.forEach((clip, ci) => {
      if (clip.type === 'audio') return;
      const d = clipDuration(clip);
      const end = d === undefined ? Number.POSITIVE_INFINITY : clip.start + d;
      knownEnd = Math.max(knownEnd, Number.isFinite(end) ? end : clip.start);
      clips.push({
        id: clip.id ?? `t${ti}.c${ci}`,
        track: ti,
        index: ci,
        clip,
        start: clip.start,
        end,
        morphWindows: morphWindows(clip, clip.start, end),
        json: JSON.stringify(clip),
      });
    });
  });
  const { tracks, ...rest } = timeline;
  // Track depth (and which tracks are visual) feeds the default depth of every clip (depth of field).
  const trackMeta = tracks.map((t) => [t.depth ?? null, t.clips.some((c) => c.type !== 'audio')]);
  const index: TimelineIndex = {
    global: JSON.stringify({ ...rest, trackMeta }),
    clips,
    knownDuration: timeline.output.duration ?? knownEnd,
    media: [
      ...new Set(
        clips.flatMap(({ clip }) => [
          'src' in clip ? clip.src : '',
          'depthMap' in clip ? (clip.depthMap ?? '') : '',
        ]),
      ),
    ]
      .filter((m) => m !== '')
      .sort(),
  };
  cache.set(timeline, index);
  return index;
}

const SLACK = TIME_EPSILON;

/** Whether a clip shows at time t: the engine's own test (engine/layers.ts clipLayers), same epsilon. */
export function isActive(c: Pick<IndexedClip, 'start' | 'end'>, t: number): boolean {
  return t - c.start >= -SLACK && t - c.start < c.end - c.start - SLACK;
}

/** Whether [a0, a1] and [b0, b1) overlap (with slack). */
export function overlaps(a0: number, a1: number, b0: number, b1: number): boolean {
  return a0 < b1 + SLACK && b0 < a1 + SLACK;
}

/** Whether `c` is drawn under (or is) `owner`: the stack is track order, then order within a track. */
export function isAtOrBelow(
  c: Pick<IndexedClip, 'track' | 'index'>,
  owner: Pick<IndexedClip, 'track' | 'index'>,
): boolean {
  return c.track < owner.track || (c.track === owner.track && c.index <= owner.index);
}

/**
 * The clips a frame at time t depends on: those showing at t, and when t lies in a morph window of
 * one of them, every clip under it showing anywhere in that window (the in-betweens are made from
 * the stack under the morphing clip at the window's ends).
 */
export function clipsAt(index: TimelineIndex, t: number): IndexedClip[] {
  const active = index.clips.filter((c) => isActive(c, t));
  const windows = active.flatMap((owner) =>
    owner.morphWindows.filter(([a, b]) => t >= a - SLACK && t <= b + SLACK).map((w) => ({ owner, w })),
  );
  if (windows.length === 0) return active;
  return index.clips.filter(
    (c) =>
      isActive(c, t) ||
      windows.some(({ owner, w }) => isAtOrBelow(c, owner) && overlaps(w[0], w[1], c.start, c.end)),
  );
}
