import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../test/helpers/paths.js';
import { type Ffmpeg, findFfmpeg, probe, runFfmpeg, runFfprobe, spawnFfmpeg } from '../media/index.js';
import { parseTimeline, type TimelineInput } from '../timeline/index.js';
import { onsetSec, readWavPcm16 } from './audio/pcm-levels.js';
import { renderVideo } from './render-video.js';

/**
 * Encoded output decoded back: every frame of a timeline of one-frame colour clips must come out in
 * place (none dropped, doubled or shifted), and a beep must sound with the flash it belongs to.
 */

const W = 64;
const H = 36;
const FPS = 30;
const N = 24;
let ff: Ffmpeg;
let dir: string;

beforeAll(async () => {
  ff = await findFfmpeg();
  dir = makeTempDir('frame-accuracy');
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/**
 * 24 colours from {0, 128, 255}³: any two differ by at least 127 in some channel, far more than
 * encoding at crf 10 moves a flat colour. A stride of 7 scatters similar ones apart in time.
 */
function palette(): [number, number, number][] {
  const levels = [0, 128, 255];
  const all: [number, number, number][] = [];
  for (const r of levels) for (const g of levels) for (const b of levels) all.push([r, g, b]);
  const kept = all.filter((c) => !(c[0] === 128 && c[1] === 128) || c[2] !== 128).slice(0, N);
  return Array.from({ length: N }, (_, k) => kept[(k * 7) % N]!);
}

const hex = (c: readonly number[]) => `#${c.map((v) => v.toString(16).padStart(2, '0')).join('')}`;

/** Decodes a file's video to RGB frames (BT.709 limited range, as tagged), each coded frame once. */
async function decodeRgb(file: string): Promise<Buffer[]> {
  const proc = spawnFfmpeg(
    ff,
    [
      ...['-i', file, '-map', '0:v:0', '-vsync', 'passthrough'],
      ...['-vf', 'scale=in_color_matrix=bt709:in_range=tv', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
    ],
    { stdout: 'pipe' },
  );
  const chunks: Buffer[] = [];
  for await (const chunk of proc.stdout!) chunks.push(chunk as Buffer);
  await proc.done;
  const all = Buffer.concat(chunks);
  const size = W * H * 3;
  expect(all.length % size).toBe(0);
  return Array.from({ length: all.length / size }, (_, i) => all.subarray(i * size, (i + 1) * size));
}

/** Mean colour of the central 16×16 pixels of an RGB frame. */
function centre(frame: Buffer): [number, number, number] {
  const sum = [0, 0, 0];
  for (let y = H / 2 - 8; y < H / 2 + 8; y++) {
    for (let x = W / 2 - 8; x < W / 2 + 8; x++)
      for (let c = 0; c < 3; c++) sum[c]! += frame[(y * W + x) * 3 + c]!;
  }
  return sum.map((s) => s / 256) as [number, number, number];
}

function nearest(
  c: readonly number[],
  colours: readonly (readonly number[])[],
): { index: number; distance: number } {
  let best = { index: -1, distance: Number.POSITIVE_INFINITY };
  colours.forEach((p, index) => {
    const distance = Math.hypot(c[0]! - p[0]!, c[1]! - p[1]!, c[2]! - p[2]!);
    if (distance < best.distance) best = { index, distance };
  });
  return best;
}

describe('frame accuracy', () => {
  // fps as written in the timeline, and the exact rate num/den.
  // Starts as frameTime computes them, (k · den) / num, or as a person would, k · (1/fps), whose
  // rounding lands an ulp either side of the frame time; one track, or alternating tracks (A/B roll).
  it.each([
    [30, 30, 1, 'one track', 'exact'],
    [29.97, 30000, 1001, 'one track', 'exact'],
    [30, 30, 1, 'A/B roll', 'exact'],
    [29.97, 30000, 1001, 'A/B roll', 'k · frame'],
    [29.97, 30000, 1001, 'one track', 'k · frame'],
  ] as const)(
    'at %s fps puts each one-frame clip in its own frame (%s, starts %s): none dropped, doubled or shifted',
    async (fps, num, den, layout, rounding) => {
      const frame = den / num;
      const startOf = (k: number) => (rounding === 'exact' ? (k * den) / num : k * frame);
      const clip = (c: [number, number, number], k: number) => ({
        type: 'color' as const,
        color: hex(c),
        start: startOf(k),
        duration: frame,
      });
      const colours = palette();
      expect(new Set(colours.map(hex)).size).toBe(N);
      const tl = parseTimeline({
        output: { width: W, height: H, fps, crf: 10, preset: 'veryfast' },
        tracks:
          layout === 'one track'
            ? [{ clips: colours.map(clip) }]
            : [0, 1].map((parity) => ({
                clips: colours.flatMap((c, k) => (k % 2 === parity ? [clip(c, k)] : [])),
              })),
      } satisfies TimelineInput);
      const outPath = join(
        dir,
        `frames-${fps}-${layout === 'one track' ? 'one' : 'ab'}-${rounding === 'exact' ? 'x' : 'k'}.mp4`,
      );
      const result = await renderVideo(tl, { ff, baseDir: dir, outPath });
      expect(result.frames).toBe(N);

      const info = await probe(ff, outPath);
      expect(info.video!.frameCount).toBe(N);
      expect(info.video!.fps).toBeCloseTo(1 / frame, 9);

      const frames = await decodeRgb(outPath);
      expect(frames).toHaveLength(N);
      const seen = frames.map((f) => nearest(centre(f), colours));
      expect(seen.map((s) => s.index)).toEqual(colours.map((_, k) => k));
      // Each is close to its colour, not merely nearer to it than to the others.
      for (const s of seen) expect(s.distance).toBeLessThan(20);

      // And frame k is stamped at k frames.
      const json = await runFfprobe(ff, [
        ...['-select_streams', 'v:0', '-show_entries', 'frame=best_effort_timestamp_time'],
        ...['-of', 'json', outPath],
      ]);
      const stamps = (JSON.parse(json) as { frames: { best_effort_timestamp_time: string }[] }).frames.map(
        (f) => Number(f.best_effort_timestamp_time),
      );
      expect(stamps).toHaveLength(N);
      stamps.forEach((s, k) => {
        expect(Math.abs(s - k * frame), `frame ${k}`).toBeLessThan(frame / 2);
      });
    },
  );

  it('keeps sound in sync: a beep at 0.5 s starts within one frame of the flash at 0.5 s', async () => {
    const beep = join(dir, 'beep.wav');
    await runFfmpeg(ff, [
      ...['-f', 'lavfi', '-i', 'sine=f=1000:sample_rate=48000:d=0.1'],
      ...['-af', 'volume=4', '-c:a', 'pcm_s16le', '-y', beep],
    ]);
    const tl = parseTimeline({
      output: { width: W, height: H, fps: FPS, duration: 1, crf: 10, preset: 'veryfast' },
      tracks: [
        { clips: [{ type: 'color', color: '#000000', start: 0, duration: 1 }] },
        { clips: [{ type: 'color', color: '#ffffff', start: 0.5, duration: 0.1 }] },
        { clips: [{ type: 'audio', src: 'beep.wav', start: 0.5 }] },
      ],
    });
    const outPath = join(dir, 'sync.mp4');
    await renderVideo(tl, { ff, baseDir: dir, outPath });

    const frames = await decodeRgb(outPath);
    expect(frames).toHaveLength(30);
    const firstFlash = frames.findIndex((f) => centre(f)[0] > 128);
    expect(firstFlash).toBe(15);
    const flashSec = firstFlash / FPS;

    const wav = join(dir, 'sync.wav');
    await runFfmpeg(ff, ['-i', outPath, '-map', '0:a:0', '-ac', '1', '-c:a', 'pcm_s16le', '-y', wav]);
    const pcm = readWavPcm16(await readFile(wav));
    const onset = onsetSec(pcm, 0.05);
    expect(onset).not.toBeNull();
    expect(Math.abs(onset! - flashSec)).toBeLessThanOrEqual(1 / FPS);
    // Nothing audible before it (AAC may smear a little energy a few milliseconds ahead).
    expect(onset!).toBeGreaterThan(flashSec - 0.01);
  });
});
