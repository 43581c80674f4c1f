import { even } from '../../engine/geometry.js';
/** Where each tile of a video's thumbnail strip comes from and where it sits in the sprite. */
export interface StripPlan {
  /** Seconds between tiles. */
  intervalSec: number;
  tiles: number;
  columns: number;
  rows: number;
  tileWidth: number;
  tileHeight: number;
}

export const STRIP_TILE_WIDTH = 160;
export const STRIP_COLUMNS = 10;
export const STRIP_MAX_TILES = 100;

/**
 * A tile every tenth of the video, but at most every 2 s on long videos (so scrubbing a minute has 30
 * tiles), and never more than 100 tiles (one sprite stays small enough to load at once).
 */
export function planStrip(durationSec: number, displayWidth: number, displayHeight: number): StripPlan {
  const duration = Number.isFinite(durationSec) && durationSec > 0 ? durationSec : 1;
  const intervalSec = Math.max(duration / STRIP_MAX_TILES, Math.min(2, duration / 10));
  const tiles = Math.max(1, Math.min(STRIP_MAX_TILES, Math.ceil(duration / intervalSec - 1e-9)));
  const columns = Math.min(STRIP_COLUMNS, tiles);
  const aspect = displayWidth > 0 && displayHeight > 0 ? displayHeight / displayWidth : 9 / 16;
  return {
    intervalSec,
    tiles,
    columns,
    rows: Math.ceil(tiles / columns),
    tileWidth: STRIP_TILE_WIDTH,
    tileHeight: even(STRIP_TILE_WIDTH * aspect),
  };
}

/** `hh:mm:ss.mmm` for WebVTT. */
export function vttTime(sec: number): string {
  const ms = Math.max(0, Math.round(sec * 1000));
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor(ms / 60_000) % 60;
  const s = Math.floor(ms / 1000) % 60;
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(h)}:${pad(m)}:${pad(s)}.${pad(ms % 1000, 3)}`;
}

/**
 * WebVTT cues, one a tile, each pointing into the sprite with a media fragment (`sprite.jpg#xywh=x,y,w,h`).
 * The sprite is named relative to the VTT file, so both served from one folder resolve each other.
 */
export function stripVtt(plan: StripPlan, spriteName: string, durationSec: number): string {
  const lines = ['WEBVTT', ''];
  const end = Number.isFinite(durationSec) && durationSec > 0 ? durationSec : plan.tiles * plan.intervalSec;
  for (let i = 0; i < plan.tiles; i++) {
    const from = i * plan.intervalSec;
    const to = i === plan.tiles - 1 ? Math.max(end, from + 0.001) : (i + 1) * plan.intervalSec;
    const x = (i % plan.columns) * plan.tileWidth;
    const y = Math.floor(i / plan.columns) * plan.tileHeight;
    lines.push(
      `${vttTime(from)} --> ${vttTime(to)}`,
      `${spriteName}#xywh=${x},${y},${plan.tileWidth},${plan.tileHeight}`,
      '',
    );
  }
  return lines.join('\n');
}
