import { access, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { type Ffmpeg, runFfmpeg } from '../../src/media/index.js';
import { repoRoot, tmpDir } from './paths.js';

/**
 * Golden-frame comparison: a rendered RGBA frame against a reviewed PNG in test/golden/. On a mismatch
 * the actual frame and a diff image are written to test/.tmp/golden/ and the test fails with the count
 * of differing pixels and the worst difference. `UPDATE_GOLDEN=1` (re)writes the references instead;
 * see test/golden/README.md for how to review them.
 */

export const goldenDir = join(repoRoot, 'test', 'golden');
export const goldenOutDir = join(tmpDir, 'golden');

export interface GoldenOptions {
  /** Largest per-channel difference (0–255) that still counts as equal. Default 3. */
  tolerance?: number;
  /** Fraction of pixels allowed to exceed the tolerance. Default 0.001. */
  maxBadPixels?: number;
}

/** How two RGBA images of the same size differ. */
export interface GoldenDiff {
  badPixels: number;
  worst: number;
  worstAt: { x: number; y: number };
  /** An RGBA image: the reference dimmed to grey, differing pixels in red (brighter = larger). */
  diff: Uint8Array;
}

function updating(): boolean {
  return process.env.UPDATE_GOLDEN === '1' || process.env.UPDATE_GOLDEN === 'true';
}

function png(rgba: Uint8Array, width: number, height: number): Promise<Buffer> {
  return sharp(Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength), {
    raw: { width, height, channels: 4 },
  })
    .png({ compressionLevel: 9 })
    .toBuffer();
}

/** Compares two RGBA buffers channel by channel (colour channels only; alpha must match within tolerance too). */
export function compareRgba(
  expected: Uint8Array,
  actual: Uint8Array,
  width: number,
  height: number,
  tolerance: number,
): GoldenDiff {
  const diff = new Uint8Array(width * height * 4);
  let badPixels = 0;
  let worst = 0;
  let worstAt = { x: 0, y: 0 };
  for (let i = 0, o = 0; i < width * height; i++, o += 4) {
    let d = 0;
    for (let c = 0; c < 4; c++) d = Math.max(d, Math.abs(expected[o + c]! - actual[o + c]!));
    const grey = Math.round(
      (0.2126 * expected[o]! + 0.7152 * expected[o + 1]! + 0.0722 * expected[o + 2]!) / 4,
    );
    if (d > tolerance) {
      badPixels++;
      diff[o] = 128 + Math.min(127, d);
      diff[o + 1] = 0;
      diff[o + 2] = 0;
    } else {
      diff[o] = grey;
      diff[o + 1] = grey + (d > 0 ? 24 : 0);
      diff[o + 2] = grey;
    }
    diff[o + 3] = 255;
    if (d > worst) {
      worst = d;
      worstAt = { x: i % width, y: Math.floor(i / width) };
    }
  }
  return { badPixels, worst, worstAt, diff };
}

/**
 * Asserts that `rgba` (width × height, 4 channels) matches test/golden/<name>.png. A missing reference
 * fails (it is never created silently): run with UPDATE_GOLDEN=1, then review the PNG.
 */
export async function expectGolden(
  name: string,
  rgba: Uint8Array,
  width: number,
  height: number,
  options: GoldenOptions = {},
): Promise<void> {
  const { tolerance = 3, maxBadPixels = 0.001 } = options;
  if (rgba.length !== width * height * 4) {
    throw new Error(
      `golden ${name}: expected ${width}x${height}x4 = ${width * height * 4} bytes, got ${rgba.length}`,
    );
  }
  const refPath = join(goldenDir, `${name}.png`);
  if (updating()) {
    await mkdir(goldenDir, { recursive: true });
    await writeFile(refPath, await png(rgba, width, height));
    return;
  }
  const exists = await access(refPath).then(
    () => true,
    () => false,
  );
  if (!exists) {
    throw new Error(
      `golden ${name}: no reference at test/golden/${name}.png. Create it with ` +
        `UPDATE_GOLDEN=1 npx vitest run <this test file>, then look at the PNG and commit it only if it is right.`,
    );
  }
  const { data, info } = await sharp(refPath).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const actualPath = join(goldenOutDir, `${name}.actual.png`);
  const diffPath = join(goldenOutDir, `${name}.diff.png`);
  if (info.width !== width || info.height !== height) {
    await mkdir(goldenOutDir, { recursive: true });
    await writeFile(actualPath, await png(rgba, width, height));
    throw new Error(
      `golden ${name}: size ${width}x${height} differs from the reference's ${info.width}x${info.height} ` +
        `(actual written to ${actualPath})`,
    );
  }
  const result = compareRgba(new Uint8Array(data), rgba, width, height, tolerance);
  const allowed = Math.floor(maxBadPixels * width * height);
  if (result.badPixels <= allowed) {
    // A pass clears what an earlier failure left behind.
    await Promise.all([rm(actualPath, { force: true }), rm(diffPath, { force: true })]);
  } else {
    await mkdir(goldenOutDir, { recursive: true });
    await writeFile(actualPath, await png(rgba, width, height));
    await writeFile(diffPath, await png(result.diff, width, height));
    throw new Error(
      `golden ${name}: ${result.badPixels} of ${width * height} pixels differ by more than ${tolerance} ` +
        `(allowed ${allowed}); worst difference ${result.worst} at (${result.worstAt.x}, ${result.worstAt.y}). ` +
        `See ${actualPath} and ${diffPath}; if the change is intended, rerun with UPDATE_GOLDEN=1 and review.`,
    );
  }
}

/**
 * Writes a PNG whose pixels come from `pixel(x, y)` (RGBA 0–255): deterministic test pictures that do
 * not depend on any encoder's version.
 */
export async function writePixelPng(
  path: string,
  width: number,
  height: number,
  pixel: (x: number, y: number) => readonly [number, number, number, number?],
): Promise<string> {
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b, a = 255] = pixel(x, y);
      rgba.set([r, g, b, a], (y * width + x) * 4);
    }
  }
  await writeFile(path, await png(rgba, width, height));
  return path;
}

/**
 * A 2 s, 30 fps, 160×90 lossless video (`bar.mp4` in `dir`) with a white bar at x = 20 + 2·frame, so
 * that a decoded picture tells which source frame it shows.
 */
export function makeBarVideo(ff: Ffmpeg, dir: string): Promise<unknown> {
  return runFfmpeg(ff, [
    ...['-f', 'lavfi', '-i', 'color=c=black:s=160x90:r=30:d=2'],
    ...[
      '-vf',
      "geq=r='if(lt(abs(X-20-2*N),2),255,X*1.5)':g='if(lt(abs(X-20-2*N),2),255,Y*2)':b='if(lt(abs(X-20-2*N),2),255,96)'",
    ],
    ...['-c:v', 'libx264', '-qp', '0', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-g', '30'],
    ...['-y', join(dir, 'bar.mp4')],
  ]);
}
