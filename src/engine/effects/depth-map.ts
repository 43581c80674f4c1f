import { access } from 'node:fs/promises';
import sharp from 'sharp';
import { ReelforgeError } from '../../errors.js';
import type { Timeline } from '../../timeline/schema.js';
import { chromaSize } from '../yuv-image.js';
import { blurAmount, levelPosition } from './depth-of-field.js';

/** A depth map resized to a prepared picture: white (255) near, black (0) far. */
export interface DepthMap {
  w: number;
  h: number;
  /** Full size, as the luma and alpha planes. */
  map: Uint8Array;
  /** Chroma size: the mean of each 2×2 block. */
  map2: Uint8Array;
  /** The distinct values in either map (which blur levels a focus can need). */
  values: readonly number[];
}

/** Loads a greyscale depth map (any image; colour is reduced to its luminance) at w×h. */
export async function loadDepthMap(path: string, w: number, h: number): Promise<DepthMap> {
  try {
    const { data, info } = await sharp(path, { limitInputPixels: 268_402_689 })
      .rotate()
      .resize(w, h, { fit: 'fill', kernel: 'lanczos3' })
      .removeAlpha()
      .greyscale()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const map = new Uint8Array(w * h);
    for (let i = 0; i < w * h; i++) map[i] = data[i * info.channels]!;
    const map2 = halve(map, w, h);
    const seen = new Uint8Array(256);
    for (const v of map) seen[v] = 1;
    for (const v of map2) seen[v] = 1;
    const values = [...seen.keys()].filter((v) => seen[v]);
    return { w, h, map, map2, values };
  } catch (e) {
    throw new ReelforgeError('MEDIA_UNREADABLE', `cannot decode depth map ${path}: ${(e as Error).message}`, {
      status: 422,
      retryable: false,
      cause: e,
    });
  }
}

function halve(map: Uint8Array, w: number, h: number): Uint8Array {
  const cw = chromaSize(w);
  const ch = chromaSize(h);
  const out = new Uint8Array(cw * ch);
  for (let y = 0; y < ch; y++) {
    for (let x = 0; x < cw; x++) {
      let s = 0;
      let n = 0;
      for (let dy = 0; dy < 2; dy++) {
        for (let dx = 0; dx < 2; dx++) {
          const px = 2 * x + dx;
          const py = 2 * y + dy;
          if (px < w && py < h) {
            s += map[py * w + px]!;
            n++;
          }
        }
      }
      out[y * cw + x] = Math.round(s / n);
    }
  }
  return out;
}

/**
 * The level position for every map value: value v is at depth 1 − v/255, blurred by its distance
 * from the focus times the strength, `sigmaUnit` picture pixels at amount 1.
 */
export function depthLut(focus: number, strength: number, sigmaUnit: number): Uint16Array {
  const lut = new Uint16Array(256);
  for (let v = 0; v < 256; v++) lut[v] = levelPosition(blurAmount(1 - v / 255, focus, strength) * sigmaUnit);
  return lut;
}

/**
 * Depth maps are media too: throws TIMELINE_MEDIA_MISSING, listing every image clip whose `depthMap`
 * names no file (as a missing `src` is reported).
 */
export async function assertDepthMaps(
  timeline: Timeline,
  resolvePath: (src: string) => string,
): Promise<void> {
  const problems: { path: string; kind: 'missing'; message: string; received: string }[] = [];
  for (const [ti, track] of timeline.tracks.entries()) {
    for (const [ci, clip] of track.clips.entries()) {
      if (clip.type !== 'image' || clip.depthMap === undefined) continue;
      const src = clip.depthMap;
      const found = await access(resolvePath(src)).then(
        () => true,
        () => false,
      );
      if (!found) {
        problems.push({
          path: `tracks[${ti}].clips[${ci}].depthMap`,
          kind: 'missing',
          message: `file not found: ${src}`,
          received: src,
        });
      }
    }
  }
  if (problems.length === 0) return;
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  throw new ReelforgeError(
    'TIMELINE_MEDIA_MISSING',
    `media files are missing (${count}):\n${problems.map((p) => `${p.path}: ${p.message}`).join('\n')}`,
    { status: 422, retryable: false, details: problems },
  );
}
