import { execFile } from 'node:child_process';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestAudio } from '../../test/helpers/media-fixtures.js';
import { makeTempDir } from '../../test/helpers/paths.js';
import { isReelforgeError } from '../errors.js';
import { type Ffmpeg, findFfmpeg, listEncoders, runFfprobe } from '../media/index.js';
import { parseTimeline, type Timeline, type TimelineInput } from '../timeline/index.js';
import { EncoderCatalog } from './encoder-catalog.js';
import { renderFrame } from './render-frame.js';
import { type RenderResult, renderVideo } from './render-video.js';

/**
 * Every output format through real ffmpeg, each file checked with ffprobe: codec, size, length,
 * frames (or files and segments), sound; transparency in WebM and PNG; the encoder errors and the
 * hardware fallback on this machine, which lists hardware encoders but has no device for them.
 */

let ff: Ffmpeg;
let dir: string;

beforeAll(async () => {
  ff = await findFfmpeg();
  dir = makeTempDir('formats');
  await makeTestAudio(dir, { seconds: 5, freq: 440 });
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** 1 s at 30 fps (unless `output` says otherwise): a gradient, a box moving across it, a tone. */
function timeline(output: Partial<TimelineInput['output']> = {}, seconds = 1): Timeline {
  return parseTimeline({
    output: { width: 160, height: 90, fps: 30, preset: 'ultrafast', duration: seconds, ...output },
    tracks: [
      {
        clips: [
          {
            type: 'gradient',
            start: 0,
            duration: seconds,
            gradient: {
              angle: 90,
              stops: [
                { offset: 0, color: '#203060' },
                { offset: 1, color: '#c08020' },
              ],
            },
            transform: { scale: 0.8 },
          },
          {
            type: 'color',
            color: '#e02020',
            start: 0,
            duration: seconds,
            transform: {
              scale: 0.25,
              x: [
                { t: 0, value: 0.2 },
                { t: seconds, value: 0.8 },
              ],
            },
          },
        ],
      },
      { clips: [{ type: 'audio', src: 'audio-440hz-5s.wav', start: 0 }] },
    ],
  });
}

interface Probed {
  format: { format_name: string; duration?: string };
  streams: {
    codec_type: string;
    codec_name: string;
    codec_tag_string: string;
    width?: number;
    height?: number;
    pix_fmt?: string;
    nb_read_frames?: string;
    sample_rate?: string;
    tags?: Record<string, string>;
  }[];
}

/** ffprobe with every frame counted. */
async function probeAll(file: string): Promise<Probed> {
  const out = await runFfprobe(ff, [
    ...['-count_frames', '-show_entries'],
    'stream=codec_type,codec_name,codec_tag_string,width,height,pix_fmt,nb_read_frames,sample_rate:stream_tags:format=format_name,duration',
    ...['-of', 'json', file],
  ]);
  return JSON.parse(out) as Probed;
}

const stream = (p: Probed, type: 'video' | 'audio') => p.streams.find((s) => s.codec_type === type);

async function render(name: string, tl: Timeline, extra: Partial<Parameters<typeof renderVideo>[1]> = {}) {
  return renderVideo(tl, { ff, baseDir: dir, outPath: join(dir, name), ...extra });
}

describe.concurrent('video formats', () => {
  it.each([
    ['mp4', 'h264', 'avc1', 'aac'],
    ['mp4', 'h265', 'hvc1', 'aac'],
    ['mp4', 'av1', 'av01', 'aac'],
    ['mov', 'h264', 'avc1', 'aac'],
    ['mov', 'h265', 'hvc1', 'aac'],
    ['mkv', 'h264', null, 'aac'],
    ['mkv', 'vp9', null, 'aac'],
    ['webm', 'vp9', null, 'opus'],
    ['webm', 'av1', null, 'opus'],
  ] as const)('%s with %s: the codec, size, every frame and the sound', async (format, codec, tag, audio) => {
    const r = await render(`video-${codec}.${format}`, timeline({ format, codec }));
    const p = await probeAll(r.outPath);
    const v = stream(p, 'video')!;
    expect(v.codec_name).toBe(codec === 'h265' ? 'hevc' : codec);
    if (tag) expect(v.codec_tag_string).toBe(tag);
    expect([v.width, v.height, v.pix_fmt]).toEqual([160, 90, 'yuv420p']);
    expect(Number(v.nb_read_frames)).toBe(30);
    expect(stream(p, 'audio')?.codec_name).toBe(audio);
    expect(Math.abs(Number(p.format.duration) - 1)).toBeLessThan(0.03);
    expect(r).toMatchObject({ format, frames: 30, files: 1, chunks: 1, hardware: null });
    expect(r.settings.crf).toBe({ h264: 23, h265: 28, vp9: 33, av1: 35 }[codec]);
  });

  it('VP9 with alpha in WebM: tagged alpha_mode 1, transparent background, opaque box', async () => {
    const tl = timeline({ format: 'webm', alpha: true, background: '#00000000' });
    // The box alone on a clear background.
    tl.tracks[0]!.clips.shift();
    const r = await render('alpha.webm', tl);
    const p = await probeAll(r.outPath);
    const tags = Object.fromEntries(
      Object.entries(stream(p, 'video')!.tags ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
    );
    expect(tags.alpha_mode).toBe('1');
    expect(Number(stream(p, 'video')!.nb_read_frames)).toBe(30);
    // Decode the first frame with libvpx (ffmpeg's own VP9 decoder drops alpha) and read the A plane.
    const raw = await new Promise<Buffer>((resolve, reject) =>
      execFile(
        ff.ffmpegPath,
        [
          '-v',
          'error',
          '-c:v',
          'libvpx-vp9',
          '-i',
          r.outPath,
          '-frames:v',
          '1',
          '-f',
          'rawvideo',
          '-pix_fmt',
          'yuva420p',
          '-',
        ],
        { encoding: 'buffer', maxBuffer: 1 << 20 },
        (err, out) => (err ? reject(err) : resolve(out)),
      ),
    );
    const alpha = raw.subarray(160 * 90 * 1.5);
    expect(alpha.length).toBe(160 * 90);
    expect(alpha[0]).toBeLessThan(8); // top-left corner: clear
    expect(alpha[45 * 160 + 32]).toBeGreaterThan(247); // the box's centre at t = 0 (x 0.2)
  });
});

describe.concurrent('GIF, image sequences and HLS', () => {
  it('GIF: a palette GIF of every frame', async () => {
    const r = await render('anim.gif', timeline({ format: 'gif' }));
    const v = stream(await probeAll(r.outPath), 'video')!;
    expect([v.codec_name, v.width, v.height, Number(v.nb_read_frames)]).toEqual(['gif', 160, 90, 30]);
    expect(r).toMatchObject({ videoEncoder: 'gif', audioEncoder: null });
  });

  it('PNG sequence: one file per frame, numbered by frame index, with the rendered colours', async () => {
    const tl = timeline({ format: 'png-sequence' });
    const r = await render('seq', tl, { from: 0.5 });
    expect(r).toMatchObject({ frames: 15, files: 15, videoEncoder: 'png' });
    const files = (await readdir(r.outPath)).sort();
    expect(files[0]).toBe('seq-00015.png');
    expect(files.at(-1)).toBe('seq-00029.png');
    const png = await sharp(join(r.outPath, 'seq-00015.png')).raw().toBuffer({ resolveWithObject: true });
    expect([png.info.width, png.info.height, png.info.channels]).toEqual([160, 90, 3]);
    const frame = await renderFrame(tl, 0.5, { ff, baseDir: dir });
    // Colours agree; only at sharp colour edges do ffmpeg's and our chroma upsampling differ.
    const diffs: number[] = [];
    for (let i = 0; i < 160 * 90; i++)
      for (let c = 0; c < 3; c++) diffs.push(Math.abs(png.data[i * 3 + c]! - frame.rgba[i * 4 + c]!));
    diffs.sort((a, b) => a - b);
    const at = (q: number) => diffs[Math.floor(diffs.length * q)]!;
    expect(at(0.5)).toBeLessThanOrEqual(1); // a wrong matrix (BT.601) would be off all over the gradient
    expect(at(0.95)).toBeLessThanOrEqual(6);
    expect(diffs.reduce((a, b) => a + b, 0) / diffs.length).toBeLessThan(1.5);
  });

  it('PNG sequence with alpha: RGBA files, clear where nothing is drawn', async () => {
    const tl = timeline({ format: 'png-sequence', alpha: true, background: '#00000000' });
    tl.tracks[0]!.clips.shift();
    const r = await render('seq-alpha', tl, { to: 0.1 });
    const png = await sharp(join(r.outPath, 'seq-alpha-00000.png'))
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect(png.info.channels).toBe(4);
    expect(png.data[3]).toBe(0);
    expect(png.data[(45 * 160 + 32) * 4 + 3]).toBe(255);
    expect(png.data[(45 * 160 + 32) * 4]).toBeGreaterThan(200);
  });

  it('JPEG sequence: full-range JPEGs a viewer shows in the right colours', async () => {
    const tl = timeline({ format: 'jpeg-sequence', profile: 'ultra' });
    const r = await render('jpegs', tl, { to: 0.2 });
    expect(r).toMatchObject({ frames: 6, files: 6, videoEncoder: 'mjpeg' });
    const jpg = await sharp(join(r.outPath, 'jpegs-00000.jpg')).raw().toBuffer({ resolveWithObject: true });
    const frame = await renderFrame(tl, 0, { ff, baseDir: dir });
    const at = (x: number, y: number) =>
      [0, 1, 2].map((c) => jpg.data[(y * 160 + x) * 3 + c]! - frame.rgba[(y * 160 + x) * 4 + c]!);
    for (const [x, y] of [
      [80, 20],
      [32, 45],
      [140, 70],
    ] as const)
      for (const d of at(x, y)) expect(Math.abs(d)).toBeLessThanOrEqual(8);
  });

  it('HLS: a VOD playlist and segments of 4 s, each starting on a keyframe', async () => {
    const r = await render('stream', timeline({ format: 'hls', fps: 10 }, 4.5));
    const playlist = await readFile(join(r.outPath, 'index.m3u8'), 'utf8');
    expect(playlist).toContain('#EXT-X-PLAYLIST-TYPE:VOD');
    expect(playlist).toContain('#EXT-X-ENDLIST');
    const segments = [...playlist.matchAll(/^(segment-\d{5}\.ts)$/gm)].map((m) => m[1]!);
    expect(segments).toEqual(['segment-00000.ts', 'segment-00001.ts']);
    expect((await readdir(r.outPath)).sort()).toEqual(['index.m3u8', ...segments]);
    const durations = [...playlist.matchAll(/#EXTINF:([\d.]+),/g)].map((m) => Number(m[1]));
    expect(durations[0]).toBeCloseTo(4, 1);
    expect(durations.reduce((a, b) => a + b, 0)).toBeCloseTo(4.5, 1);
    const first = await probeAll(join(r.outPath, segments[0]!));
    expect([stream(first, 'video')?.codec_name, stream(first, 'audio')?.codec_name]).toEqual(['h264', 'aac']);
    expect(Number(stream(first, 'video')!.nb_read_frames)).toBe(40);
    expect(r.files).toBe(3);
  });
});

describe.concurrent('sound only', () => {
  it.each([
    ['m4a', 'aac', 'mov,mp4,m4a,3gp,3g2,mj2'],
    ['mp3', 'mp3', 'mp3'],
    ['opus', 'opus', 'ogg'],
    ['wav', 'pcm_s16le', 'wav'],
  ] as const)('%s: %s, no picture, the timeline’s length', async (format, codec, container) => {
    const r = await render(`sound.${format}`, timeline({ format }, 2));
    const p = await probeAll(r.outPath);
    expect(p.format.format_name).toBe(container);
    expect(stream(p, 'video')).toBeUndefined();
    expect(stream(p, 'audio')).toMatchObject({ codec_name: codec, sample_rate: '48000' });
    expect(Math.abs(Number(p.format.duration) - 2)).toBeLessThan(0.06);
    expect(r).toMatchObject({ videoEncoder: null, frames: 60 });
  });
});

describe('encoder choice', () => {
  it('an encoder this ffmpeg lacks: ENCODER_UNAVAILABLE naming what it has, and no output', async () => {
    const real = await listEncoders(ff);
    const encoders = new EncoderCatalog(ff, { list: async () => real.filter((e) => e.name !== 'libx265') });
    const e = await renderVideo(timeline({ codec: 'h265' }), {
      ff,
      baseDir: dir,
      outPath: join(dir, 'nope.mp4'),
      encoders,
    }).then(
      () => null,
      (err: unknown) => err,
    );
    expect(isReelforgeError(e, 'ENCODER_UNAVAILABLE')).toBe(true);
    if (!isReelforgeError(e)) return;
    expect(e.status).toBe(422);
    expect(e.message).toMatch(
      /^output\.codec h265: this ffmpeg has no software h265 encoder \(libx265\)\. This ffmpeg \(.+\) offers for mp4: video h264 \([^)]*libx264[^)]*\)/,
    );
    expect((await readdir(dir)).filter((f) => f.includes('nope'))).toEqual([]);
  });

  it('hardware auto: an NVENC encoder that ffmpeg lists but cannot open falls back to libx264', async () => {
    // Pretend the device is there, so that the real one-frame test encode runs (and fails here).
    const encoders = new EncoderCatalog(ff, { findDevice: (kind) => (kind === 'nvenc' ? 'default' : null) });
    const works = (
      await encoders.videoEncoder({
        format: 'mp4',
        codec: 'h264',
        hardware: 'auto',
        alpha: false,
        width: 160,
        height: 90,
      })
    ).hardware;
    const r: RenderResult = await render('fallback.mp4', timeline(), { encoders });
    expect(r.hardware).toBe(works);
    if (works === null) {
      expect(r.videoEncoder).toBe('libx264');
      const e = await renderVideo(timeline({ hardware: 'nvenc' }), {
        ff,
        baseDir: dir,
        outPath: join(dir, 'nvenc.mp4'),
        encoders,
      }).then(
        () => null,
        (err: unknown) => err,
      );
      expect(isReelforgeError(e, 'ENCODER_UNAVAILABLE')).toBe(true);
      expect(String((e as Error).message)).toMatch(
        /h264_nvenc is built in, but a one-frame test encode failed \(.+\)/,
      );
    }
  });

  it('asks for chunks of a format that renders in one process: RENDER_CHUNKS_UNSUPPORTED', async () => {
    const e = await render('chunked.gif', timeline({ format: 'gif' }), { chunks: 2 }).then(
      () => null,
      (err: unknown) => err,
    );
    expect(isReelforgeError(e, 'RENDER_CHUNKS_UNSUPPORTED')).toBe(true);
    expect((e as Error).message).toContain('its palette spans every frame');
  });
});
