import type { Timeline } from '../../timeline/schema.js';
import {
  type IndexedClip,
  indexTimeline,
  isAtOrBelow,
  overlaps,
  type TimelineIndex,
} from './timeline-index.js';

/** What an edit changed: every frame, or the frames within these time ranges and of these clips. */
export type Affected = { all: true } | { all: false; ranges: Array<[number, number]>; clipIds: Set<string> };

function byId(index: TimelineIndex): Map<string, IndexedClip> {
  const m = new Map<string, IndexedClip>();
  // Duplicate ids (the schema does not forbid them) get a suffix so each clip is still compared.
  for (const c of index.clips) {
    let id = c.id;
    for (let n = 2; m.has(id); n++) id = `${c.id}#${n}`;
    m.set(id, c);
  }
  return m;
}

/** A clip's frames: its own time range, widened by the morph windows of clips above it that overlap it. */
function rangesOf(c: IndexedClip, index: TimelineIndex): Array<[number, number]> {
  const out: Array<[number, number]> = [[c.start, c.end], ...c.morphWindows];
  for (const o of index.clips) {
    if (o === c || !isAtOrBelow(c, o)) continue;
    for (const w of o.morphWindows) if (overlaps(w[0], w[1], c.start, c.end)) out.push(w);
  }
  return out;
}

/**
 * Diffs two versions of a timeline. Output, params, grade or track-level changes affect every frame;
 * otherwise each clip (matched by `id`, else by position) whose content or position changed affects
 * the frames of its old and new time ranges — transitions lie inside a clip's range here, and the
 * morph window of a clip above it that overlaps it is added (those in-betweens are made from it). Audio
 * clips affect no frame.
 */
export function affectedBy(previous: Timeline, next: Timeline): Affected {
  const a = indexTimeline(previous);
  const b = indexTimeline(next);
  if (a.global !== b.global) return { all: true };
  const before = byId(a);
  const after = byId(b);
  const ranges: Array<[number, number]> = [];
  const clipIds = new Set<string>();
  for (const id of new Set([...before.keys(), ...after.keys()])) {
    const p = before.get(id);
    const n = after.get(id);
    if (p && n && p.json === n.json && p.track === n.track && p.index === n.index) continue;
    clipIds.add(id);
    if (p) ranges.push(...rangesOf(p, a));
    if (n) ranges.push(...rangesOf(n, b));
  }
  return { all: false, ranges, clipIds };
}
