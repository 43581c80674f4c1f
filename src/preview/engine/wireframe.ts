import { basename } from 'node:path';
import { createCanvas, type SKRSContext2D } from '@napi-rs/canvas';
import { even } from '../../engine/geometry.js';
import { homeBox } from '../../engine/layers.js';
import { valueAt } from '../../timeline/animate.js';
import type { Timeline, VisualClip } from '../../timeline/schema.js';
import { encodePixels } from './encode-frame.js';
import { type IndexedClip, indexTimeline, isActive } from './timeline-index.js';
import type { FrameFormat } from './types.js';

/** The wireframe's frame area: the output's aspect ratio within a 480 × 480 box. */
export const WIREFRAME_SIZE = 480;
const BAR = 28;
const TRACK_COLORS = ['#4fc3f7', '#aed581', '#ffb74d', '#ba68c8', '#e57373', '#4db6ac'];

export interface Wireframe {
  bytes: Buffer;
  width: number;
  height: number;
}

function label(clip: VisualClip): string {
  const name =
    clip.id ??
    (clip.type === 'text'
      ? JSON.stringify(clip.text.length > 24 ? `${clip.text.slice(0, 23)}…` : clip.text)
      : 'src' in clip
        ? basename(clip.src)
        : clip.type === 'color'
          ? clip.color
          : '');
  return name ? `${clip.type} ${name}` : clip.type;
}

function drawClip(g: SKRSContext2D, c: IndexedClip, t: number, w: number, h: number): void {
  const local = t - c.start;
  const tr = c.clip.transform;
  const [bx, by, bw, bh] = homeBox(c.clip, w, h);
  const s = valueAt(tr.scale, local);
  const color = TRACK_COLORS[c.track % TRACK_COLORS.length] ?? '#ffffff';
  g.save();
  g.translate(bx + bw / 2 + (valueAt(tr.x, local) - 0.5) * w, by + bh / 2 + (valueAt(tr.y, local) - 0.5) * h);
  g.rotate((valueAt(tr.rotation, local) * Math.PI) / 180);
  g.scale(s, s);
  g.globalAlpha = 0.18 * Math.max(0.2, Math.min(1, valueAt(tr.opacity, local)));
  g.fillStyle = color;
  g.fillRect(-bw / 2, -bh / 2, bw, bh);
  g.globalAlpha = 1;
  g.strokeStyle = color;
  g.lineWidth = 1.5 / Math.max(0.1, Math.abs(s));
  g.strokeRect(-bw / 2, -bh / 2, bw, bh);
  g.restore();
  // Labels stay upright and inside the frame whatever the transform.
  g.fillStyle = color;
  g.fillText(`T${c.track} ${label(c.clip)}`, 6, 14 + 14 * c.track, w - 12);
}

function drawSafeAreas(g: SKRSContext2D, w: number, h: number): void {
  g.setLineDash([4, 4]);
  g.lineWidth = 1;
  for (const [f, color] of [
    [0.93, 'rgba(255,255,255,0.45)'],
    [0.9, 'rgba(255,235,59,0.55)'],
  ] as const) {
    g.strokeStyle = color;
    g.strokeRect((w * (1 - f)) / 2, (h * (1 - f)) / 2, w * f, h * f);
  }
  g.setLineDash([]);
}

function drawTimingBar(
  g: SKRSContext2D,
  clips: IndexedClip[],
  tracks: number,
  t: number,
  duration: number,
  w: number,
  y: number,
): void {
  g.fillStyle = '#111111';
  g.fillRect(0, y, w, BAR);
  const end = Math.max(duration, t, 1e-3);
  const x = (s: number) => (Math.min(end, s) / end) * w;
  const row = (BAR - 12) / Math.max(1, tracks);
  for (const c of clips) {
    g.fillStyle = TRACK_COLORS[c.track % TRACK_COLORS.length] ?? '#ffffff';
    g.globalAlpha = isActive(c, t) ? 0.9 : 0.45;
    g.fillRect(
      x(c.start),
      y + 2 + c.track * row,
      Math.max(1, x(c.end) - x(c.start) - 1),
      Math.max(1, row - 1),
    );
  }
  g.globalAlpha = 1;
  g.fillStyle = '#ff5252';
  g.fillRect(x(t) - 1, y, 2, BAR);
  g.fillStyle = '#dddddd';
  g.fillText(`${t.toFixed(3)} s / ${duration.toFixed(2)} s`, 4, y + BAR - 2);
}

/** Draws the wireframe picture (see renderWireframe) and returns its canvas. */
export function drawWireframe(timeline: Timeline, t: number, reason?: string) {
  const index = indexTimeline(timeline);
  const { width: ow, height: oh } = timeline.output;
  // A portrait (or extreme) output stays within the box instead of growing tall.
  const w = even(WIREFRAME_SIZE * Math.min(1, ow / oh));
  const h = even(WIREFRAME_SIZE * Math.min(1, oh / ow));
  const canvas = createCanvas(w, h + BAR);
  const g = canvas.getContext('2d');
  g.fillStyle = '#1d1f21';
  g.fillRect(0, 0, w, h);
  g.font = '11px DejaVu Sans';
  for (const c of index.clips) if (isActive(c, t)) drawClip(g, c, t, w, h);
  drawSafeAreas(g, w, h);
  drawTimingBar(g, index.clips, timeline.tracks.length, t, index.knownDuration, w, h);
  if (reason) {
    g.fillStyle = 'rgba(183,28,28,0.85)';
    g.fillRect(0, h - 20, w, 20);
    g.fillStyle = '#ffffff';
    // The first line, shortened: the whole reason travels in the result's `degraded.reason`.
    const line = reason.split('\n')[0] ?? '';
    g.fillText(line.length > 90 ? `${line.slice(0, 89)}…` : line, 6, h - 6, w - 12);
  }
  return canvas;
}

/**
 * The wireframe frame: a box per clip showing at t (output aspect, labelled with track and clip),
 * the action (93 %) and title (90 %) safe areas, and a timing bar with every clip's span and the
 * playhead. Nothing is decoded or read from disk, so it works when media files are missing, and it
 * is what a degraded frame shows (with the reason written across it).
 */
export async function renderWireframe(
  timeline: Timeline,
  t: number,
  format: FrameFormat,
  reason?: string,
): Promise<Wireframe> {
  const canvas = drawWireframe(timeline, t, reason);
  // A small JPEG is quicker encoded here by Skia (~2 ms for 480 px) than handed to sharp's thread pool,
  // where it waits behind the render workers' picture decodes (4–8 ms, measured); sharp's WebP and PNG
  // are the faster ones.
  const bytes =
    format === 'jpeg'
      ? await canvas.encode('jpeg', 80)
      : await encodePixels(canvas.data(), canvas.width, canvas.height, 4, format);
  return { bytes, width: canvas.width, height: canvas.height };
}
