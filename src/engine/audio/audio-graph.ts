import type { AudioPlan, AudioSegment } from './audio-plan.js';
import {
  duckFilter,
  type MixFormat,
  type SampleSpan,
  sampleSpan,
  segmentFilters,
} from './segment-filters.js';

/** A segment that lasts at least one sample, with its span and its ffmpeg input index. */
export interface PlacedSegment {
  segment: AudioSegment;
  span: SampleSpan;
  input: number;
}

/** The segments that will be heard, in plan order, numbered as ffmpeg inputs. */
export function placeSegments(plan: AudioPlan, sampleRate: number): PlacedSegment[] {
  const total = Math.round(plan.duration * sampleRate);
  const placed: PlacedSegment[] = [];
  for (const segment of plan.segments) {
    const span = sampleSpan(segment, sampleRate, total);
    if (span.end > span.start) placed.push({ segment, span, input: placed.length });
  }
  return placed;
}

/** A labelled stream of exactly `span.end − span.start` samples, to be placed at `span.start`. */
interface Piece {
  label: string;
  span: SampleSpan;
}

/**
 * Greedy interval partitioning: pieces that do not overlap share a lane, so a lane is one stream
 * and the mix has as many inputs as sounds overlap at most, not one per segment. Returns indexes
 * into `spans`, each lane in time order.
 */
export function assignLanes(spans: readonly SampleSpan[]): number[][] {
  const order = spans
    .map((_, i) => i)
    .sort((a, b) => (spans[a]?.start ?? 0) - (spans[b]?.start ?? 0) || a - b);
  const lanes: number[][] = [];
  const ends: number[] = [];
  for (const i of order) {
    const span = spans[i] as SampleSpan;
    const lane = ends.findIndex((end) => end <= span.start);
    if (lane === -1) {
      lanes.push([i]);
      ends.push(span.end);
    } else {
      lanes[lane]?.push(i);
      ends[lane] = span.end;
    }
  }
  return lanes;
}

/**
 * One lane as a stream from time 0: silence in the gaps, the pieces in between (concat is exact to
 * the sample and, unlike adelay, which allocates its whole delay, costs nothing while waiting).
 */
function laneStream(lines: string[], fmt: MixFormat, pieces: Piece[], out: string): string {
  const parts: string[] = [];
  let cursor = 0;
  for (const piece of pieces) {
    if (piece.span.start > cursor) {
      const gap = `${out}g${parts.length}`;
      lines.push(
        `anullsrc=r=${fmt.sampleRate}:cl=${fmt.layout},atrim=end_sample=${piece.span.start - cursor}[${gap}]`,
      );
      parts.push(gap);
    }
    parts.push(piece.label);
    cursor = piece.span.end;
  }
  if (parts.length === 1) return parts[0] as string;
  lines.push(`${parts.map((p) => `[${p}]`).join('')}concat=n=${parts.length}:v=0:a=1[${out}]`);
  return out;
}

/** Places pieces in lanes, mixes the lanes (summing, no normalisation), pads to `total` samples. */
function mixPieces(
  lines: string[],
  fmt: MixFormat,
  pieces: Piece[],
  prefix: string,
  total: number,
  tail: string,
) {
  const lanes = assignLanes(pieces.map((p) => p.span)).map((lane, l) =>
    laneStream(
      lines,
      fmt,
      lane.map((i) => pieces[i] as Piece),
      `${prefix}${l}`,
    ),
  );
  const head =
    lanes.length === 1
      ? `[${lanes[0]}]`
      : `${lanes.map((l) => `[${l}]`).join('')}amix=inputs=${lanes.length}:normalize=0:dropout_transition=0,`;
  lines.push(`${head}apad=whole_len=${total}${tail}`);
}

/** Whether a segment really ducks: level below 1 and another track with sound to key from. */
function duckKey(s: AudioSegment, heardTracks: ReadonlySet<string>): string | null {
  if (!s.duck || s.duck.level >= 1 || s.duck.track === s.trackId) return null;
  return heardTracks.has(s.duck.track) ? s.duck.track : null;
}

/**
 * The filter graph mixing a plan, with the result labelled `[aout]`: exactly
 * round(duration × sampleRate) samples, silence where nothing plays. Segments come from inputs
 * numbered as `placeSegments` does. Empty plans give silence.
 */
export function buildAudioFilterGraph(plan: AudioPlan, fmt: MixFormat): string {
  const sr = fmt.sampleRate;
  const total = Math.round(plan.duration * sr);
  const placed = placeSegments(plan, sr);
  if (placed.length === 0) return `anullsrc=r=${sr}:cl=${fmt.layout},atrim=end_sample=${total}[aout]`;

  const heardTracks = new Set(placed.map((p) => p.segment.trackId));
  const consumers = new Map<string, PlacedSegment[]>();
  for (const p of placed) {
    const key = duckKey(p.segment, heardTracks);
    if (key !== null) consumers.set(key, [...(consumers.get(key) ?? []), p]);
  }

  const lines: string[] = [];
  const main = new Map<number, string>();
  const keyPieces = new Map<string, Piece[]>();
  for (const p of placed) {
    const i = p.input;
    const samples = p.span.end - p.span.start;
    lines.push(`[${i}:a:0]${segmentFilters(p.segment, fmt, samples).join(',')}[b${i}]`);
    main.set(i, `b${i}`);
    const track = p.segment.trackId;
    if (consumers.has(track)) {
      // The key is the track as heard before any ducking of its own, so mutual ducking cannot loop.
      lines.push(`[b${i}]asplit=2[bm${i}][bk${i}]`);
      keyPieces.set(track, [...(keyPieces.get(track) ?? []), { label: `bk${i}`, span: p.span }]);
      main.set(i, `bm${i}`);
    }
  }

  let keyIndex = 0;
  for (const [track, users] of consumers) {
    const k = `key${keyIndex++}`;
    const split = users.length === 1 ? '' : `,asplit=${users.length}`;
    const outs = users.map((_, j) => `[${k}_${j}]`).join('');
    mixPieces(lines, fmt, keyPieces.get(track) ?? [], `${k}l`, total, `${split}${outs}`);
    users.forEach((p, j) => {
      const i = p.input;
      lines.push(
        `[${k}_${j}]atrim=start_sample=${p.span.start}:end_sample=${p.span.end},asetpts=N/SR/TB[sc${i}]`,
        `[${main.get(i)}][sc${i}]${duckFilter(p.segment.duck!)}[d${i}]`,
      );
      main.set(i, `d${i}`);
    });
  }

  const heard = placed.map((p) => ({ label: main.get(p.input)!, span: p.span }));
  mixPieces(lines, fmt, heard, 'lane', total, `,atrim=end_sample=${total}[aout]`);
  return lines.join(';\n');
}
