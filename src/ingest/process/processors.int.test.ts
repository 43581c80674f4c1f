import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeTestVideo } from '../../../test/helpers/media-fixtures.js';
import { makeTempDir } from '../../../test/helpers/paths.js';
import { type Ffmpeg, findFfmpeg } from '../../media/index.js';
import type { DerivativeFile } from '../../storage/derivative-store.js';
import { makeWaveform, measureLoudness } from './audio-analysis.js';
import { makeImageVariants } from './image-variants.js';
import { defaultPdfOptions, renderPdfPages } from './pdf-pages.js';
import {
  ffmpegFixture,
  makeOrientedJpeg,
  makeP3Png,
  makePqTaggedVideo,
  makeSineMinus20,
  makeTwoPagePdf,
  P3_FIXTURE_SRGB,
  processContext,
} from './test-support/process-fixtures.js';
import { makePoster, makeProxy, makeThumbnailStrip, PROXY } from './video-derivatives.js';
import { readVideoMetadata } from './video-metadata.js';

const root = makeTempDir('ingest-process');
const fixtures = join(root, 'fixtures');
mkdirSync(fixtures, { recursive: true });
const work = () => mkdtemp(join(root, 'work-'));
const signal = new AbortController().signal;
const byName = (files: DerivativeFile[], name: string) => {
  const f = files.find((x) => x.name === name);
  if (!f || !('path' in f)) throw new Error(`no ${name}`);
  return f as DerivativeFile & { path: string };
};

function ffprobeJson(args: string[]): Promise<unknown> {
  return new Promise((resolve, reject) => {
    execFile('ffprobe', ['-v', 'error', '-print_format', 'json', ...args], (err, out) =>
      err ? reject(err) : resolve(JSON.parse(out)),
    );
  });
}

async function pixel(path: string, x: number, y: number): Promise<[number, number, number]> {
  const { data, info } = await sharp(path).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const o = (y * info.width + x) * 3;
  return [data[o]!, data[o + 1]!, data[o + 2]!];
}

describe('image variants', () => {
  it('applies the EXIF orientation and makes WebP and AVIF at 2048 (not enlarged) and 320', async () => {
    const files = await makeImageVariants(await makeOrientedJpeg(fixtures), await work(), signal);
    expect(files.map((f) => f.name).sort()).toEqual([
      'image-2048.avif',
      'image-2048.webp',
      'thumb-320.avif',
      'thumb-320.webp',
    ]);
    for (const f of files) {
      const m = await sharp(byName(files, f.name).path).metadata();
      expect(m.format).toBe(f.name.endsWith('.webp') ? 'webp' : 'heif');
      expect(m.orientation ?? 1).toBe(1);
      const [w, h] = f.name.startsWith('image') ? [200, 400] : [160, 320];
      expect([m.width, m.height]).toEqual([w, h]);
      expect(f.meta).toMatchObject({ width: w, height: h });
    }
    // Displayed upright: the stored left half (red) is now on top, the blue half below.
    const webp = byName(files, 'image-2048.webp').path;
    const [r1, , b1] = await pixel(webp, 100, 50);
    const [r2, , b2] = await pixel(webp, 100, 350);
    expect(r1).toBeGreaterThan(200);
    expect(b1).toBeLessThan(60);
    expect(b2).toBeGreaterThan(200);
    expect(r2).toBeLessThan(60);
  });

  it('converts a Display P3 image to sRGB numbers', async () => {
    const p3 = await makeP3Png(fixtures);
    const stored = await pixel(p3, 10, 10);
    // sharp converts on read unless told not to; read the stored numbers with ffmpeg instead.
    const raw = await new Promise<Buffer>((resolve, reject) =>
      execFile(
        'ffmpeg',
        ['-v', 'error', '-i', p3, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
        { encoding: 'buffer' },
        (err, out) => (err ? reject(err) : resolve(out)),
      ),
    );
    const asStored = [raw[0]!, raw[1]!, raw[2]!];
    expect(
      Math.abs(asStored[0]! - P3_FIXTURE_SRGB.r) + Math.abs(asStored[1]! - P3_FIXTURE_SRGB.g),
    ).toBeGreaterThan(10);
    expect(stored).toBeDefined();
    const files = await makeImageVariants(p3, await work(), signal);
    const out = byName(files, 'image-2048.webp').path;
    const [r, g, b] = await pixel(out, 10, 10);
    expect(Math.abs(r - P3_FIXTURE_SRGB.r)).toBeLessThanOrEqual(4);
    expect(Math.abs(g - P3_FIXTURE_SRGB.g)).toBeLessThanOrEqual(4);
    expect(Math.abs(b - P3_FIXTURE_SRGB.b)).toBeLessThanOrEqual(4);
  });

  it('a file that is not an image fails with sharp’s reason', async () => {
    const bad = join(fixtures, 'not-an-image.jpg');
    await writeFile(bad, Buffer.from('\xff\xd8\xff\xe0 this is not really a JPEG', 'latin1'));
    await expect(makeImageVariants(bad, await work(), signal)).rejects.toThrow();
  });
});

describe('video derivatives', () => {
  let ff: Ffmpeg;
  let video: string;
  beforeAll(async () => {
    ff = await findFfmpeg();
    video = await makeTestVideo(fixtures, { w: 160, h: 90, seconds: 2, fps: 30, withAudio: true });
  });

  it('reads duration, fps, size, rotation, audio and SDR', async () => {
    const described = await readVideoMetadata(ff, video, signal);
    expect(described?.metadata).toMatchObject({
      fps: 30,
      width: 160,
      height: 90,
      rotation: 0,
      hdr: false,
      hasAudio: true,
      audio: { channels: 1 },
    });
    expect(described?.metadata.durationSec).toBeCloseTo(2, 1);
  });

  it('reports a PQ / BT.2020 video as HDR, and a rotated one with its rotation', async () => {
    const hdr = await readVideoMetadata(ff, await makePqTaggedVideo(fixtures), signal);
    expect(hdr?.metadata).toMatchObject({ hdr: true, transfer: 'pq', wideGamut: true, hasAudio: false });
    const rotated = await makeTestVideo(fixtures, { w: 160, h: 90, seconds: 1, rotate: 90 });
    const rot = await readVideoMetadata(ff, rotated, signal);
    expect(rot?.metadata).toMatchObject({ rotation: 90, displayWidth: 90, displayHeight: 160 });
    // The poster is upright: rotation applied.
    const poster = await makePoster(await processContext(rotated, await work()), rot!.metadata);
    const m = await sharp((poster as { path: string }).path).metadata();
    expect([m.width, m.height]).toEqual([90, 160]);
  });

  it('makes a JPEG poster at 10 % of the video', async () => {
    const meta = (await readVideoMetadata(ff, video, signal))!.metadata;
    const poster = await makePoster(await processContext(video, await work()), meta);
    const m = await sharp((poster as { path: string }).path).metadata();
    expect(m).toMatchObject({ format: 'jpeg', width: 160, height: 90 });
    expect(poster.meta).toMatchObject({ atSec: 0.2, tries: 1 });
  });

  it('looks later for a poster when the frame at 10 % is black', async () => {
    const path = join(fixtures, 'black-start.mp4');
    await ffmpegFixture([
      ...['-f', 'lavfi', '-i', 'color=c=black:s=160x90:r=25:d=0.8'],
      ...['-f', 'lavfi', '-i', 'testsrc2=s=160x90:r=25:d=1.2'],
      ...['-filter_complex', '[0:v][1:v]concat=n=2:v=1[v]', '-map', '[v]'],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', path],
    ]);
    const meta = (await readVideoMetadata(ff, path, signal))!.metadata;
    const poster = await makePoster(await processContext(path, await work()), meta);
    // 10 % (0.2 s) and 25 % (0.5 s) are black; 50 % (1 s) is the test pattern.
    expect(poster.meta).toMatchObject({ atSec: 1, tries: 3 });
    const stats = await sharp(await readFile((poster as { path: string }).path)).stats();
    expect(Math.max(...stats.channels.map((c) => c.mean))).toBeGreaterThan(40);
  });

  it('tone-maps a PQ video’s poster, strip and proxy to SDR BT.709', async () => {
    const pq = await makePqTaggedVideo(fixtures);
    const meta = (await readVideoMetadata(ff, pq, signal))!.metadata;
    const ctx = await processContext(pq, await work());
    const poster = await makePoster(ctx, meta);
    expect(poster.meta).toMatchObject({ toneMapped: true });
    const strip = await makeThumbnailStrip(ctx, meta);
    expect((await sharp(byName(strip, 'sprite.jpg').path).metadata()).width).toBe(1600);
    const proxy = await makeProxy(ctx, meta);
    expect(proxy.meta).toMatchObject({ toneMapped: true });
    const tags = (await ffprobeJson([
      '-show_entries',
      'stream=color_transfer,color_primaries,pix_fmt',
      (proxy as { path: string }).path,
    ])) as { streams: Record<string, string>[] };
    expect(tags.streams[0]).toMatchObject({
      pix_fmt: 'yuv420p',
      color_transfer: 'bt709',
      color_primaries: 'bt709',
    });
  });

  it('makes a sprite and VTT cues that each point inside the sprite', async () => {
    const meta = (await readVideoMetadata(ff, video, signal))!.metadata;
    const files = await makeThumbnailStrip(await processContext(video, await work()), meta);
    const sprite = await sharp(byName(files, 'sprite.jpg').path).metadata();
    expect(sprite).toMatchObject({ format: 'jpeg', width: 1600, height: 90 });
    const vtt = await readFile(byName(files, 'thumbnails.vtt').path, 'utf8');
    const cues = [...vtt.matchAll(/sprite\.jpg#xywh=(\d+),(\d+),(\d+),(\d+)/g)].map((m) =>
      m.slice(1).map(Number),
    );
    expect(cues).toHaveLength(10);
    for (const [x, y, w, h] of cues) {
      expect(x! + w!).toBeLessThanOrEqual(sprite.width!);
      expect(y! + h!).toBeLessThanOrEqual(sprite.height!);
    }
    // The last tile is a frame of the video, not padding: its right half is not black.
    const [r, g, b] = await pixel(byName(files, 'sprite.jpg').path, 9 * 160 + 80, 45);
    expect(r + g + b).toBeGreaterThan(30);
  });

  it('makes an H.264 proxy with a keyframe every few frames, no B-frames, faststart', async () => {
    const meta = (await readVideoMetadata(ff, video, signal))!.metadata;
    const fractions: number[] = [];
    const proxy = await makeProxy(await processContext(video, await work()), meta, (f) => fractions.push(f));
    const path = (proxy as { path: string }).path;
    const frames = (await ffprobeJson([
      '-select_streams',
      'v:0',
      '-show_entries',
      'frame=key_frame,pict_type',
      '-show_entries',
      'stream=codec_name,width,height',
      path,
    ])) as {
      frames: { key_frame: number; pict_type: string }[];
      streams: { codec_name: string; width: number; height: number }[];
    };
    expect(frames.streams[0]).toMatchObject({ codec_name: 'h264', width: 160, height: 90 });
    expect(frames.frames.length).toBe(60);
    const keys = frames.frames.flatMap((f, i) => (f.key_frame === 1 ? [i] : []));
    expect(keys).toEqual(Array.from({ length: 10 }, (_, i) => i * PROXY.keyint));
    expect(frames.frames.some((f) => f.pict_type === 'B')).toBe(false);
    // faststart: the moov box comes before mdat.
    const head = (await readFile(path)).subarray(0, 4096).toString('latin1');
    expect(head.indexOf('moov')).toBeGreaterThan(-1);
    expect(head.indexOf('moov')).toBeLessThan(Math.max(head.indexOf('mdat'), 4096));
    const streams = (await ffprobeJson(['-show_entries', 'stream=codec_type', path])) as {
      streams: { codec_type: string }[];
    };
    expect(streams.streams.map((s) => s.codec_type)).toEqual(['video', 'audio']);
  });

  it('scales a large video down to at most 854×480', async () => {
    const big = await makeTestVideo(fixtures, { w: 1280, h: 720, seconds: 1, fps: 10 });
    const meta = (await readVideoMetadata(ff, big, signal))!.metadata;
    const proxy = await makeProxy(await processContext(big, await work()), { ...meta, hasAudio: false });
    const s = (await ffprobeJson([
      '-show_entries',
      'stream=width,height',
      (proxy as { path: string }).path,
    ])) as {
      streams: { width: number; height: number }[];
    };
    // 1280×720 → 480 high keeps 16:9 at an even width (853.3 → 852).
    expect(s.streams[0]).toEqual({ width: 852, height: 480 });
  });
});

describe('audio analysis', () => {
  it('measures a −20 dBFS stereo sine at about −20 LUFS and −20 dBTP', async () => {
    const wav = await makeSineMinus20(fixtures, 2);
    const { loudness, file } = await measureLoudness(await processContext(wav, await work()));
    expect(loudness.integratedLufs).toBeGreaterThan(-20.5);
    expect(loudness.integratedLufs).toBeLessThan(-19.5);
    expect(loudness.truePeakDbtp).toBeGreaterThan(-20.5);
    expect(loudness.truePeakDbtp).toBeLessThan(-19.5);
    expect(loudness.rangeLu).toBeLessThan(1);
    expect(JSON.parse(await readFile((file as { path: string }).path, 'utf8'))).toMatchObject({
      standard: 'EBU R128',
    });
  });

  it('makes waveform peaks (about a thousand buckets) and their picture', async () => {
    const wav = await makeSineMinus20(fixtures, 2);
    const files = await makeWaveform(await processContext(wav, await work()), 2, 2);
    const peaks = JSON.parse(await readFile(byName(files, 'waveform.json').path, 'utf8')) as {
      length: number;
      samplesPerBucket: number;
      data: number[];
    };
    expect(peaks.samplesPerBucket).toBe(16);
    expect(peaks.length).toBe(1000);
    expect(peaks.data).toHaveLength(2000);
    expect(Math.max(...peaks.data)).toBeCloseTo(0.1, 2);
    expect(Math.min(...peaks.data)).toBeCloseTo(-0.1, 2);
    const png = await sharp(byName(files, 'waveform.png').path).metadata();
    expect(png).toMatchObject({ format: 'png', width: 1000, height: 128 });
  });
});

describe('PDF pages', () => {
  it('renders each page of a hand-written two-page PDF as a PNG, long side 2048', async () => {
    const pages = await renderPdfPages(
      await makeTwoPagePdf(fixtures),
      join(await work(), 'pages'),
      defaultPdfOptions,
      signal,
    );
    expect(pages).toHaveLength(2);
    const [a, b] = await Promise.all(pages.map((p) => sharp(p).metadata()));
    expect(Math.max(a!.width!, a!.height!)).toBe(2048);
    expect(a!.height!).toBeGreaterThan(a!.width!);
    expect(b!.width!).toBeGreaterThan(b!.height!);
  });

  it('stops at maxPages', async () => {
    const pages = await renderPdfPages(
      await makeTwoPagePdf(fixtures),
      join(await work(), 'pages'),
      { ...defaultPdfOptions, maxPages: 1, longSide: 200 },
      signal,
    );
    expect(pages).toHaveLength(1);
  });

  it('a corrupt PDF fails with pdftoppm’s reason; a missing pdftoppm says to install poppler-utils', async () => {
    const bad = join(fixtures, 'bad.pdf');
    await writeFile(bad, '%PDF-1.4\nthis is not a PDF body\n');
    await expect(renderPdfPages(bad, join(await work(), 'p'), defaultPdfOptions, signal)).rejects.toThrow(
      /pdftoppm: /,
    );
    await expect(
      renderPdfPages(
        bad,
        join(await work(), 'p'),
        { ...defaultPdfOptions, pdftoppmPath: '/nonexistent/pdftoppm' },
        signal,
      ),
    ).rejects.toMatchObject({
      code: 'ASSET_PROCESSING_FAILED',
      message: expect.stringMatching(/poppler-utils/),
    });
  });
});
