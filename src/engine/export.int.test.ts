import { execFile } from 'node:child_process';
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writePixelPng } from '../../test/helpers/golden.js';
import { makeTestAudio } from '../../test/helpers/media-fixtures.js';
import { makeTempDir } from '../../test/helpers/paths.js';
import { type Ffmpeg, findFfmpeg, type MediaInfo, probe, runFfmpeg } from '../media/index.js';
import { frameTime, parseTimeline, type Timeline, type TimelineInput } from '../timeline/index.js';
import { renderFrame } from './render-frame.js';
import { type RenderProgress, type RenderResult, renderVideo } from './render-video.js';

/**
 * Export end to end: renderVideo through real ffmpeg, the file checked with ffprobe, its sound with
 * ffmpeg's volumedetect, and the frames fed to the encoder compared byte for byte with renderFrame.
 */

const FPS = 30;
let ff: Ffmpeg;
let dir: string;

beforeAll(async () => {
  ff = await findFfmpeg();
  dir = makeTempDir('export');
  await Promise.all([
    writePixelPng(join(dir, 'picture.png'), 240, 135, (x, y) => [x, (y * 255) / 135, 255 - x, 255]),
    makeTestAudio(dir, { seconds: 1, freq: 440 }),
    // 2 s, 30 fps, lossless: a white bar at x = 20 + 2·n in frame n.
    runFfmpeg(ff, [
      ...['-f', 'lavfi', '-i', 'color=c=black:s=160x90:r=30:d=2'],
      ...['-vf', "geq=lum='if(lt(abs(X-20-2*N),2),235,40+Y)':cb=128:cr=128"],
      ...['-c:v', 'libx264', '-qp', '0', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-g', '30'],
      ...['-y', join(dir, 'bar.mp4')],
    ]),
  ]);
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** About 1 s: a picture with a camera move, text fading in, a 1 s tone. Every frame differs. */
function exportTimeline(output: Partial<TimelineInput['output']> = {}): Timeline {
  return parseTimeline({
    output: { width: 160, height: 90, fps: FPS, preset: 'veryfast', ...output },
    tracks: [
      {
        clips: [
          {
            type: 'image',
            src: 'picture.png',
            start: 0,
            duration: 1,
            camera: { from: { zoom: 1 }, to: { zoom: 1.5, x: 0.3 } },
          },
        ],
      },
      {
        clips: [
          {
            type: 'text',
            text: 'Export',
            start: 0,
            duration: 1,
            fadeIn: 0.5,
            font: { size: 220, weight: 'bold' },
          },
        ],
      },
      { clips: [{ type: 'audio', src: 'audio-440hz-1s.wav', start: 0 }] },
    ],
  });
}

/** ffmpeg's volumedetect over the first audio stream: mean and max volume in dBFS. */
function volume(file: string): Promise<{ mean: number; max: number }> {
  return new Promise((resolve, reject) => {
    execFile(
      ff.ffmpegPath,
      ['-hide_banner', '-nostdin', '-i', file, '-map', '0:a:0', '-af', 'volumedetect', '-f', 'null', '-'],
      (err, _out, stderr) => {
        if (err) return reject(err);
        const mean = stderr.match(/mean_volume: (-?[\d.]+|-inf) dB/);
        const max = stderr.match(/max_volume: (-?[\d.]+|-inf) dB/);
        if (!mean || !max) return reject(new Error(`no volumedetect output:\n${stderr}`));
        const db = (s: string) => (s === '-inf' ? Number.NEGATIVE_INFINITY : Number(s));
        resolve({ mean: db(mean[1]!), max: db(max[1]!) });
      },
    );
  });
}

interface Export {
  result: RenderResult;
  info: MediaInfo;
  progress: RenderProgress[];
  frames: Map<number, Uint8Array>;
}

async function exportTo(
  name: string,
  tl: Timeline,
  options: { from?: number; to?: number; scale?: number } = {},
) {
  const progress: RenderProgress[] = [];
  const frames = new Map<number, Uint8Array>();
  const result = await renderVideo(tl, {
    ff,
    baseDir: dir,
    outPath: join(dir, name),
    onProgress: (p) => progress.push(p),
    // The buffer is reused after the call: keep a copy.
    onFrame: (i, frame) => frames.set(i, Uint8Array.from(frame)),
    ...options,
  });
  const info = await probe(ff, result.outPath);
  return { result, info, progress, frames } satisfies Export;
}

describe('renderVideo', () => {
  let full: Export;
  const tl = exportTimeline();

  beforeAll(async () => {
    full = await exportTo('full.mp4', tl);
  });

  it('writes an H.264 MP4 of the output size and frame rate', () => {
    const v = full.info.video!;
    expect(v.codec).toBe('h264');
    expect([v.width, v.height]).toEqual([160, 90]);
    expect(v.pixFmt).toBe('yuv420p');
    expect(v.fps).toBe(FPS);
    expect(full.info.formatName).toContain('mp4');
  });

  it('has exactly the timeline’s frames, and a duration within one frame of it', () => {
    expect(full.info.video!.frameCount).toBe(30);
    expect(full.result.frames).toBe(30);
    expect(full.result.durationSec).toBe(1);
    expect(Math.abs(full.info.durationSec! - 1)).toBeLessThanOrEqual(1 / FPS);
  });

  it('has an AAC audio track that is not silent', async () => {
    expect(full.info.audio?.codec).toBe('aac');
    expect(Math.abs(full.info.audio!.durationSec! - 1)).toBeLessThanOrEqual(1 / FPS);
    const v = await volume(full.result.outPath);
    expect(v.mean).toBeGreaterThan(-50);
    expect(v.max).toBeLessThanOrEqual(0);
  });

  it('reports the result: size on disk, settings, kernels and timings of every stage', async () => {
    const r = full.result;
    expect(r.outPath).toBe(join(dir, 'full.mp4'));
    expect([r.width, r.height, r.fps]).toEqual([160, 90, FPS]);
    expect(r.bytes).toBe((await stat(r.outPath)).size);
    expect(r.settings).toMatchObject({ profile: 'standard', crf: 23, preset: 'veryfast' });
    expect(['native', 'javascript']).toContain(r.kernels);
    for (const k of ['prepare', 'audio', 'video', 'finalize', 'total'] as const) {
      expect(Number.isFinite(r.timings[k]), k).toBe(true);
      expect(r.timings[k], k).toBeGreaterThanOrEqual(0);
    }
    expect(r.timings.total).toBeGreaterThanOrEqual(r.timings.video);
  });

  it('leaves no temporary files beside the output', async () => {
    const left = (await readdir(dir)).filter((f) => f.startsWith('.full.mp4'));
    expect(left).toEqual([]);
  });

  it('reports progress in stage order, never going back, ending at fraction 1', () => {
    const p = full.progress;
    const order = ['prepare', 'audio', 'video', 'finalize'];
    for (let i = 1; i < p.length; i++) {
      expect(p[i]!.fraction).toBeGreaterThanOrEqual(p[i - 1]!.fraction);
      expect(order.indexOf(p[i]!.stage)).toBeGreaterThanOrEqual(order.indexOf(p[i - 1]!.stage));
      if (p[i]!.stage === 'video' && p[i - 1]!.stage === 'video') {
        expect(p[i]!.frame).toBeGreaterThan(p[i - 1]!.frame);
      }
    }
    expect(new Set(p.map((e) => e.stage))).toEqual(new Set(order));
    const video = p.filter((e) => e.stage === 'video');
    expect(video.at(-1)!.frame).toBe(30);
    expect(video.every((e) => e.totalFrames === 30)).toBe(true);
    expect(p.at(-1)!.fraction).toBe(1);
    expect(p.every((e) => e.fraction >= 0 && e.fraction <= 1)).toBe(true);
  });

  it('feeds the encoder exactly the frames renderFrame renders at the same times', async () => {
    expect(full.frames.size).toBe(30);
    for (const i of [0, 1, 7, 15, 29]) {
      const single = await renderFrame(tl, frameTime(i, FPS), { ff, baseDir: dir });
      expect(Buffer.from(full.frames.get(i)!).equals(Buffer.from(single.i420)), `frame ${i}`).toBe(true);
    }
  });

  it('renders a range: from/to give exactly those frames, the same as in the full export', async () => {
    const part = await exportTo('range.mp4', tl, { from: 0.5, to: 0.8 });
    expect(part.result.frames).toBe(9);
    expect(part.info.video!.frameCount).toBe(9);
    expect(Math.abs(part.info.durationSec! - 0.3)).toBeLessThanOrEqual(1 / FPS);
    expect(part.info.audio?.codec).toBe('aac');
    for (const i of [0, 4, 8]) {
      expect(
        Buffer.from(part.frames.get(i)!).equals(Buffer.from(full.frames.get(15 + i)!)),
        `frame ${i}`,
      ).toBe(true);
    }
  });

  it('renders at scale 0.5 at half the size', async () => {
    const half = await exportTo('half.mp4', tl, { scale: 0.5 });
    expect([half.result.width, half.result.height]).toEqual([80, 46]);
    expect([half.info.video!.width, half.info.video!.height]).toEqual([80, 46]);
    expect(half.info.video!.frameCount).toBe(30);
  });
});

describe('renderVideo with a video clip', () => {
  it('feeds the encoder the frames renderFrame renders, trim and speed included', async () => {
    const tl = parseTimeline({
      output: { width: 160, height: 90, fps: FPS, preset: 'veryfast' },
      tracks: [
        { clips: [{ type: 'video', src: 'bar.mp4', start: 0, trimStart: 0.2, speed: 1.5, duration: 0.8 }] },
      ],
    });
    const { result, info, frames } = await exportTo('video.mp4', tl);
    expect(result.frames).toBe(24);
    expect(info.video!.frameCount).toBe(24);
    // The source has no sound: the track is there (players expect one) but silent.
    expect((await volume(result.outPath)).max).toBeLessThan(-60);
    // Output frame i shows source frame (0.2 s + i/30 · 1.5) · 30 = 6 + 1.5·i, whose bar is at 20 + 2·that.
    const barAt = (frame: Uint8Array) => {
      const row = frame.subarray(45 * 160, 46 * 160);
      return row.indexOf(Math.max(...row));
    };
    for (const i of [0, 4, 10, 20])
      expect(Math.abs(barAt(frames.get(i)!) - (20 + 2 * (6 + 1.5 * i))), `frame ${i}`).toBeLessThanOrEqual(1);
    for (const i of [0, 5, 12, 23]) {
      const single = await renderFrame(tl, frameTime(i, FPS), { ff, baseDir: dir });
      expect(Buffer.from(frames.get(i)!).equals(Buffer.from(single.i420)), `frame ${i}`).toBe(true);
    }
  });
});
