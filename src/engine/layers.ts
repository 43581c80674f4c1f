import { cameraAt, transitionProgress, valueAt } from '../timeline/animate.js';
import type { Camera, Timeline, Transition, VisualClip } from '../timeline/schema.js';
import { parseColor, type Rgba } from './color.js';
import { type LayerDof, layerDof } from './effects/depth-of-field.js';
import { type Affine, compose, IDENTITY, rotate, scale, translate } from './geometry.js';

/** Seconds of floating-point slack when deciding which frames a clip covers. */
export const TIME_EPSILON = 1e-6;

/** Identifies a clip: track and clip indices, and a key "t<track>.c<clip>". */
export interface ClipRef {
  track: number;
  index: number;
  key: string;
}

/**
 * One thing to draw: a clip's picture (or a colour overlay covering it) placed by an affine map
 * from the picture's intrinsic pixels to output pixels. The compositor draws these in order.
 */
export interface Layer {
  ref: ClipRef;
  kind: 'picture' | 'overlay';
  /** For overlays: the colour laid over the clip (fade through a colour). */
  color: Rgba | null;
  /** Intrinsic picture pixels → output pixels. */
  forward: Affine;
  /** The part of the picture that is shown (intrinsic pixels): the fit box crops a covering picture. */
  window: readonly [number, number, number, number];
  /** 0–1. */
  opacity: number;
  /** Output-pixel rectangle outside which nothing is drawn (wipes), or null. */
  clipRect: readonly [number, number, number, number] | null;
  /** Seconds since the clip started (video clips pick their source frame from it). */
  local: number;
  /** The picture's intrinsic size, in which `forward` and `window` are expressed. */
  size: { w: number; h: number };
  /** Depth of field: the layer's depth, the focus and the strength at this time (absent: sharp). */
  dof?: LayerDof | null;
  /** Motion blur: the layer's poses at the shutter's sample times (absent: it holds still). */
  motion?: readonly LayerPose[];
  /**
   * A morph transition's in-between frame (a whole frame, mapped 1:1) at `progress` 0–1: the frame
   * replaces this clip and everything under it, blended by its opacity.
   */
  morph?: { side: 'in' | 'out'; progress: number };
}

/** Where a layer is at one motion-blur sample. */
export type LayerPose = Pick<Layer, 'forward' | 'window' | 'opacity' | 'clipRect'>;

/** What the layer evaluation needs to know beyond the timeline. */
export interface LayerContext {
  width: number;
  height: number;
  /** Intrinsic size of a clip's picture (image or video display size; for text the box in output pixels). */
  pictureSize(ref: ClipRef): { w: number; h: number };
  /** Duration of a clip, resolved (video clips may take theirs from the source). */
  clipDuration(ref: ClipRef): number;
  /** Depth of each track for depth of field (effects/depth-of-field.ts trackDepths); 0 when absent. */
  trackDepth?(track: number): number;
}

/** The home box of a clip in output pixels: the frame, or for text its box. */
export function homeBox(clip: VisualClip, width: number, height: number): [number, number, number, number] {
  if (clip.type === 'text') {
    const b = clip.box;
    return [b.x * width, b.y * height, b.width * width, b.height * height];
  }
  return [0, 0, width, height];
}

/** Scale factors from intrinsic picture pixels to box pixels for a fit mode. */
function fitScale(
  fit: 'cover' | 'contain' | 'fill',
  pw: number,
  ph: number,
  bw: number,
  bh: number,
): [number, number] {
  if (fit === 'fill') return [bw / pw, bh / ph];
  const s = fit === 'cover' ? Math.max(bw / pw, bh / ph) : Math.min(bw / pw, bh / ph);
  return [s, s];
}

/** Places the picture in its box: fit, then the camera (zoom about a point, kept inside the box). */
function placeInBox(
  clip: VisualClip,
  pw: number,
  ph: number,
  bw: number,
  bh: number,
  camera: { zoom: number; x: number; y: number } | null,
): { map: Affine; window: [number, number, number, number] } {
  const fit = clip.type === 'image' || clip.type === 'video' ? clip.fit : 'fill';
  const [fx, fy] = fitScale(fit, pw, ph, bw, bh);
  const z = camera?.zoom ?? 1;
  const cx = camera?.x ?? 0.5;
  const cy = camera?.y ?? 0.5;
  const dw = pw * fx * z;
  const dh = ph * fy * z;
  const place = (d: number, b: number, c: number) => {
    if (d <= b) return (b - d) / 2;
    return Math.min(0, Math.max(b - d, b / 2 - c * d));
  };
  const ox = place(dw, bw, cx);
  const oy = place(dh, bh, cy);
  const map: Affine = [fx * z, 0, ox, 0, fy * z, oy];
  // The window is the part of the picture inside the box.
  const u0 = Math.max(0, -ox / (fx * z));
  const v0 = Math.max(0, -oy / (fy * z));
  const u1 = Math.min(pw, (bw - ox) / (fx * z));
  const v1 = Math.min(ph, (bh - oy) / (fy * z));
  return { map, window: [u0, v0, u1, v1] };
}

function cameraOf(clip: VisualClip): Camera | undefined {
  return clip.type === 'image' || clip.type === 'video' ? clip.camera : undefined;
}

interface Effects {
  opacity: number;
  dx: number;
  dy: number;
  zoom: number;
  clipRect: [number, number, number, number] | null;
  overlays: { color: Rgba; alpha: number }[];
  morph: { side: 'in' | 'out'; progress: number } | null;
}

function applyTransition(
  tr: Transition,
  p: number,
  side: 'in' | 'out',
  fx: Effects,
  w: number,
  h: number,
): void {
  // p: 0 → 1 through the transition. `shown` is how much of the clip is present.
  const shown = side === 'in' ? p : 1 - p;
  const gone = 1 - shown;
  const dir = tr.direction;
  switch (tr.type) {
    case 'crossfade':
      fx.opacity *= shown;
      break;
    case 'morph':
      // Under the morph's in-between frames, a plain crossfade (what shows at interpolation < 1).
      fx.opacity *= shown;
      if (p > 0 && p < 1) fx.morph = { side, progress: p };
      break;
    case 'fade':
      fx.overlays.push({ color: parseColor(tr.color), alpha: gone });
      break;
    case 'zoom':
      fx.opacity *= shown;
      fx.zoom *= 1 + 0.2 * gone;
      break;
    case 'slide':
      if (dir === 'left') fx.dx -= gone * w;
      else if (dir === 'right') fx.dx += gone * w;
      else if (dir === 'up') fx.dy -= gone * h;
      else fx.dy += gone * h;
      break;
    case 'wipe': {
      // The visible part grows from (or shrinks towards) the named edge.
      const r: [number, number, number, number] = [0, 0, w, h];
      if (dir === 'left') r[2] = shown * w;
      else if (dir === 'right') r[0] = (1 - shown) * w;
      else if (dir === 'up') r[3] = shown * h;
      else r[1] = (1 - shown) * h;
      fx.clipRect = intersect(fx.clipRect, r);
      break;
    }
  }
}

function intersect(
  a: [number, number, number, number] | null,
  b: [number, number, number, number],
): [number, number, number, number] {
  if (!a) return b;
  return [Math.max(a[0], b[0]), Math.max(a[1], b[1]), Math.min(a[2], b[2]), Math.min(a[3], b[3])];
}

/** The layers of one clip at time `t` (absolute seconds), or none when it is not visible. */
export function clipLayers(
  timeline: Timeline,
  clip: VisualClip,
  ref: ClipRef,
  t: number,
  ctx: LayerContext,
): Layer[] {
  const duration = ctx.clipDuration(ref);
  const local = t - clip.start;
  // Frame times are i/fps in floating point: a clip at 0.1 s for 0.2 s must cover exactly frames 3–8.
  if (local < -TIME_EPSILON || local >= duration - TIME_EPSILON) return [];
  const { width: W, height: H } = ctx;
  const params = timeline.params;
  const fx: Effects = { opacity: 1, dx: 0, dy: 0, zoom: 1, clipRect: null, overlays: [], morph: null };
  if (clip.transitionIn) {
    const p = transitionProgress(clip.transitionIn, clip.start, duration, 'in', params.interpolation, t);
    applyTransition(clip.transitionIn, p, 'in', fx, W, H);
  }
  if (clip.transitionOut) {
    const p = transitionProgress(clip.transitionOut, clip.start, duration, 'out', params.interpolation, t);
    applyTransition(clip.transitionOut, p, 'out', fx, W, H);
  }
  if (clip.type === 'text') {
    if (clip.fadeIn > 0) fx.opacity *= Math.min(1, local / clip.fadeIn);
    if (clip.fadeOut > 0) fx.opacity *= Math.min(1, (duration - local) / clip.fadeOut);
  }
  const tr = clip.transform;
  const opacity = Math.max(0, Math.min(1, valueAt(tr.opacity, local))) * fx.opacity;
  const visibleOverlay = fx.overlays.some((o) => o.alpha > 0);
  if (opacity <= 0 && !visibleOverlay) return [];
  if (fx.clipRect && (fx.clipRect[2] <= fx.clipRect[0] || fx.clipRect[3] <= fx.clipRect[1])) return [];

  const { w: pw, h: ph } = ctx.pictureSize(ref);
  const [bx, by, bw, bh] = homeBox(clip, W, H);
  const camSpec = cameraOf(clip);
  const cam = camSpec ? cameraAt(camSpec, duration, local, params.cameraSpeed) : null;
  const placed = placeInBox(clip, pw, ph, bw, bh, cam);
  const s = valueAt(tr.scale, local) * fx.zoom;
  const cxOut = bx + bw / 2 + (valueAt(tr.x, local) - 0.5) * W + fx.dx;
  const cyOut = by + bh / 2 + (valueAt(tr.y, local) - 0.5) * H + fx.dy;
  // picture → box → centred on the box → scaled, rotated → placed in the frame.
  const boxToFrame = compose(
    translate(cxOut, cyOut),
    compose(rotate(valueAt(tr.rotation, local)), compose(scale(s), translate(-bw / 2, -bh / 2))),
  );
  const forward = compose(boxToFrame, placed.map);
  const layers: Layer[] = [];
  if (opacity > 0) {
    const dof = clip.type === 'color' ? null : layerDof(timeline, clip, ctx.trackDepth?.(ref.track) ?? 0, t);
    layers.push({
      ref,
      kind: 'picture',
      color: null,
      forward,
      window: placed.window,
      opacity,
      clipRect: fx.clipRect,
      local,
      size: { w: pw, h: ph },
      ...(dof ? { dof } : {}),
    });
  }
  for (const o of fx.overlays) {
    if (o.alpha <= 0) continue;
    layers.push({
      ref,
      kind: 'overlay',
      color: o.color,
      forward,
      window: placed.window,
      opacity: o.alpha * Math.max(0, Math.min(1, valueAt(tr.opacity, local))),
      clipRect: fx.clipRect,
      local,
      size: { w: pw, h: ph },
    });
  }
  if (fx.morph && params.interpolation > 0) {
    layers.push({
      ref,
      kind: 'picture',
      color: null,
      forward: IDENTITY,
      window: [0, 0, W, H],
      opacity: Math.min(1, params.interpolation),
      clipRect: null,
      local,
      size: { w: W, h: H },
      morph: fx.morph,
    });
  }
  return layers;
}

/** Every layer visible at time `t`, bottom to top: later tracks on top, later clips on top within a track. */
export function layersAt(timeline: Timeline, t: number, ctx: LayerContext): Layer[] {
  const out: Layer[] = [];
  timeline.tracks.forEach((track, ti) => {
    track.clips.forEach((clip, ci) => {
      if (clip.type === 'audio') return;
      out.push(...clipLayers(timeline, clip, { track: ti, index: ci, key: `t${ti}.c${ci}` }, t, ctx));
    });
  });
  return out;
}
