import type { Timeline } from '../../timeline/schema.js';
import { apply } from '../geometry.js';
import { type ClipRef, clipLayers, type Layer, type LayerContext, type LayerPose } from '../layers.js';

/**
 * Motion blur as a camera shutter: a frame is the average of renders at N instants spread over the
 * time the shutter is open (params.motionBlur × one frame interval, centred on the frame's time).
 * Only layers that move are drawn per instant, and only as many instants as the motion needs.
 */

export interface ShutterOptions {
  fps: number;
  /** params.motionBlur: 0 = off … 1 = a 360° shutter. */
  shutter: number;
  /** The most samples a frame may take (the quality level decides). */
  maxSamples: number;
  /** Take fewer samples when the motion within the shutter is small (at most `spacing` pixels apart). */
  adaptive: boolean;
}

/** Largest gap, in output pixels, between two samples of a moving edge that still looks continuous. */
export const SAMPLE_SPACING_PX = 1;

/** The instants sampled for the frame at t: n points evenly inside [t − e/2, t + e/2], e = shutter / fps. */
export function shutterTimes(t: number, fps: number, shutter: number, n: number): number[] {
  const e = Math.max(0, shutter) / fps;
  if (n <= 1 || e === 0) return [t];
  return Array.from({ length: n }, (_, i) => t + ((i + 0.5) / n - 0.5) * e);
}

/**
 * How many samples a motion of `px` pixels (along its path within the shutter) needs: none below a
 * pixel (a smear that small does not show), else one per pixel of travel up to the maximum.
 */
export function samplesFor(px: number, maxSamples: number, adaptive: boolean): number {
  const max = Math.max(1, Math.floor(maxSamples));
  if (!(px >= SAMPLE_SPACING_PX)) return 1;
  if (!adaptive) return max;
  return Math.min(max, Math.ceil(px / SAMPLE_SPACING_PX));
}

/** How far the corners of a window (and a clipping rectangle) travel between two poses, in pixels. */
export function poseDistance(a: LayerPose, b: LayerPose): number {
  const [u0, v0, u1, v1] = a.window;
  let d = 0;
  const corners: [number, number][] = [
    [u0, v0],
    [u1, v0],
    [u0, v1],
    [u1, v1],
  ];
  for (const [u, v] of corners) {
    const [x0, y0] = apply(a.forward, u, v);
    const [x1, y1] = apply(b.forward, u, v);
    d = Math.max(d, Math.hypot(x1 - x0, y1 - y0));
  }
  if (a.clipRect || b.clipRect) {
    const ra = a.clipRect ?? [0, 0, 0, 0];
    const rb = b.clipRect ?? [0, 0, 0, 0];
    for (let i = 0; i < 4; i++) d = Math.max(d, Math.abs(ra[i]! - rb[i]!));
  }
  return d;
}

function pose(l: Layer): LayerPose {
  return { forward: l.forward, window: l.window, opacity: l.opacity, clipRect: l.clipRect };
}

function samePlace(a: LayerPose, b: LayerPose): boolean {
  const same = (x: readonly number[] | null, y: readonly number[] | null) =>
    x === y || (x !== null && y !== null && x.every((v, i) => v === y[i]));
  return same(a.forward, b.forward) && same(a.clipRect, b.clipRect);
}

interface Group {
  ref: ClipRef;
  layers: Layer[];
  /** The clip's lifetime, to keep samples inside it (cuts stay cuts). */
  start: number;
  end: number;
}

/**
 * The layers of the frame at t with their motion: each clip that moves within the shutter gets
 * `motion` poses at the sample instants (clamped to the clip's life, so a cut never blends two
 * clips). Clips that opt out (`motionBlur: false`), hold still, or change their layer count within
 * the shutter are left as they are. Returns the layers unchanged when nothing moves.
 */
export function withMotion(
  timeline: Timeline,
  t: number,
  layers: readonly Layer[],
  ctx: LayerContext,
  o: ShutterOptions,
): readonly Layer[] {
  if (o.shutter <= 0 || o.maxSamples <= 1 || layers.length === 0) return layers;
  const groups: Group[] = [];
  for (const l of layers) {
    const last = groups[groups.length - 1];
    if (last && last.ref.key === l.ref.key) last.layers.push(l);
    else {
      const clip = timeline.tracks[l.ref.track]?.clips[l.ref.index];
      const start = clip?.start ?? 0;
      groups.push({ ref: l.ref, layers: [l], start, end: start + ctx.clipDuration(l.ref) });
    }
  }
  const poseAt = (g: Group, time: number): Layer[] | null => {
    const clip = timeline.tracks[g.ref.track]?.clips[g.ref.index];
    if (!clip || clip.type === 'audio' || clip.motionBlur === false) return null;
    const tt = Math.min(g.end - 1e-6, Math.max(g.start, time));
    const ls = clipLayers(timeline, clip, g.ref, tt, ctx);
    return ls.length === g.layers.length ? ls : null;
  };
  const half = o.shutter / o.fps / 2;
  const out: Layer[] = [];
  let any = false;
  for (const g of groups) {
    // Path length within the shutter: open → frame time → close (catches turns and reversals).
    const a = poseAt(g, t - half);
    const b = poseAt(g, t + half);
    let d = 0;
    if (a && b) {
      g.layers.forEach((l, i) => {
        d = Math.max(d, poseDistance(pose(a[i]!), pose(l)) + poseDistance(pose(l), pose(b[i]!)));
      });
    }
    // Each clip takes the samples its own motion needs.
    const n = samplesFor(d, o.maxSamples, o.adaptive);
    const samples = n > 1 ? shutterTimes(t, o.fps, o.shutter, n).map((ti) => poseAt(g, ti)) : [];
    const ok = samples.length === n && n > 1 && samples.every((s) => s !== null);
    g.layers.forEach((l, i) => {
      const poses = ok ? samples.map((s) => pose(s![i]!)) : null;
      if (!poses || poses.every((p) => samePlace(p, l))) out.push(l);
      else {
        out.push({ ...l, motion: poses });
        any = true;
      }
    });
  }
  if (!any) return layers;
  return out;
}
