import { execFile, execFileSync } from 'node:child_process';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isProcessAlive, makeTestAudio, makeTestVideo } from '../../../test/helpers/media-fixtures.js';
import { makeTempDir } from '../../../test/helpers/paths.js';
import { isReelforgeError } from '../../errors.js';
import { type Ffmpeg, findFfmpeg, runFfprobe } from '../../media/index.js';
import { parseTimeline, type Timeline, type TimelineInput } from '../../timeline/index.js';
import { type RenderProgress, type RenderResult, renderVideo } from '../render-video.js';

/**
 * Chunked rendering end to end, with real chunk processes: a chunk boundary must be invisible. The
 * video is encoded losslessly (x264 at CRF 0) so that decoded frames can be compared byte for byte:
 * the joined file must hold exactly the frames of a single-process render (which are the composited
 * frames themselves), and the sound must be the same samples.
 */

let ff: Ffmpeg;
let dir: string;

beforeAll(async () => {
  ff = await findFfmpeg();
  dir = makeTempDir('chunked');
  await Promise.all([
    makeTestAudio(dir, { seconds: 8, freq: 330 }),
    makeTestVideo(dir, { w: 64, h: 36, fps: 30, seconds: 2 }),
  ]);
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Moving content in every frame: a gradient, a box crossing it, a playing video (optional), a tone. */
function timeline(output: Partial<TimelineInput['output']> = {}, seconds = 1, video = true): Timeline {
  return parseTimeline({
    output: { width: 160, height: 90, fps: 30, preset: 'ultrafast', crf: 0, duration: seconds, ...output },
    tracks: [
      {
        clips: [
          {
            type: 'gradient',
            start: 0,
            duration: seconds,
            gradient: {
              angle: 45,
              stops: [
                { offset: 0, color: '#102040' },
                { offset: 1, color: '#a0c060' },
              ],
            },
          },
          {
            type: 'color',
            color: '#e0e0e0',
            start: 0,
            duration: seconds,
            transform: {
              scale: 0.2,
              x: [
                { t: 0, value: 0.1 },
                { t: seconds, value: 0.9 },
              ],
              rotation: [
                { t: 0, value: 0 },
                { t: seconds, value: 90 },
              ],
            },
          },
        ],
      },
      {
        clips: [
          {
            type: 'video' as const,
            src: 'video-64x36-30fps-2s.mp4',
            start: 0,
            duration: Math.min(seconds, 2),
            transform: { scale: 0.4, x: 0.7, y: 0.3 },
          },
        ].filter(() => video),
      },
      { clips: [{ type: 'audio', src: 'audio-330hz-8s.wav', start: 0 }] },
    ],
  });
}

/** Decodes a stream of a file to raw bytes: I420 frames or 16-bit stereo PCM. */
function decode(file: string, what: 'video' | 'audio'): Promise<Buffer> {
  const args =
    what === 'video'
      ? ['-map', '0:v:0', '-f', 'rawvideo', '-pix_fmt', 'yuv420p']
      : ['-map', '0:a:0', '-f', 's16le', '-ac', '2', '-ar', '48000'];
  return new Promise((resolve, reject) =>
    execFile(
      ff.ffmpegPath,
      ['-v', 'error', '-i', file, ...args, '-'],
      { encoding: 'buffer', maxBuffer: 1 << 26 },
      (err, out) => (err ? reject(err) : resolve(out)),
    ),
  );
}

/** Presentation times of the video packets, in stream time-base ticks, sorted. */
async function videoPts(file: string): Promise<number[]> {
  const out = await runFfprobe(ff, [
    '-select_streams',
    'v:0',
    '-show_entries',
    'packet=pts',
    '-of',
    'csv=p=0',
    file,
  ]);
  return out
    .trim()
    .split('\n')
    .map(Number)
    .sort((a, b) => a - b);
}

const FRAME = 160 * 90 * 1.5;
const frameOf = (buf: Buffer, i: number) => buf.subarray(i * FRAME, (i + 1) * FRAME);

describe.each([
  { fps: 30, seconds: 1, chunks: 3, frames: 30, video: true },
  // A 30 fps video clip in a 29.97 fps timeline: its frames are picked by source time.
  { fps: 29.97, seconds: 31 / 29.97, chunks: 4, frames: 31, video: true },
])('chunked at $fps fps into $chunks chunks', ({ fps, seconds, chunks, frames, video }) => {
  const tl = timeline({ fps }, seconds, video);
  const composited: Buffer[] = [];
  let single: RenderResult;
  let chunked: RenderResult;
  const progress: RenderProgress[] = [];

  beforeAll(async () => {
    single = await renderVideo(tl, {
      ff,
      baseDir: dir,
      outPath: join(dir, `single-${fps}.mp4`),
      onFrame: (i, f) => {
        composited[i] = Buffer.from(f);
      },
    });
    chunked = await renderVideo(tl, {
      ff,
      baseDir: dir,
      outPath: join(dir, `chunked-${fps}.mp4`),
      chunks,
      workers: 2,
      onProgress: (p) => progress.push(p),
    });
  });

  it('renders every frame once, in as many chunks as asked', async () => {
    expect(single.frames).toBe(frames);
    expect(chunked).toMatchObject({ frames, chunks, videoEncoder: 'libx264', audioEncoder: 'aac' });
    expect(['native', 'javascript']).toContain(chunked.kernels);
    expect((await decode(chunked.outPath, 'video')).length).toBe(frames * FRAME);
  });

  it('holds exactly the frames of a single-process render, boundaries included, byte for byte', async () => {
    const a = await decode(single.outPath, 'video');
    const b = await decode(chunked.outPath, 'video');
    for (let i = 0; i < frames; i++) {
      // Lossless: the decoded single-process frame is the composited frame itself.
      expect(frameOf(a, i).equals(composited[i]!), `single frame ${i}`).toBe(true);
      expect(frameOf(b, i).equals(frameOf(a, i)), `chunked frame ${i}`).toBe(true);
    }
  });

  it('keeps every frame on the frame grid across the joins (no drift, gap or overlap)', async () => {
    const [a, b] = [await videoPts(single.outPath), await videoPts(chunked.outPath)];
    expect(b).toEqual(a);
    const step = a[1]! - a[0]!;
    expect(b.every((t, i) => t === b[0]! + i * step)).toBe(true);
  });

  it('has the sound of the single render: the same samples, mixed once, no gap at a boundary', async () => {
    const a = await decode(single.outPath, 'audio');
    const b = await decode(chunked.outPath, 'audio');
    expect(b.length).toBe(a.length);
    expect(b.equals(a)).toBe(true);
  });

  it('reports progress summed over the chunks, never going back, ending at 1', () => {
    const video = progress.filter((p) => p.stage === 'video');
    expect(video.length).toBeGreaterThan(1);
    for (let i = 1; i < progress.length; i++)
      expect(progress[i]!.fraction).toBeGreaterThanOrEqual(progress[i - 1]!.fraction);
    expect(video.at(-1)!.frame).toBe(frames);
    expect(video.every((p) => p.totalFrames === frames)).toBe(true);
    expect(progress.at(-1)!.fraction).toBe(1);
  });
});

describe('chunked image sequences and other formats', () => {
  it('PNG sequence: each chunk writes its own numbered files, the same as one process writes', async () => {
    const tl = timeline({ format: 'png-sequence' });
    const one = await renderVideo(tl, { ff, baseDir: dir, outPath: join(dir, 'pngs-one') });
    const many = await renderVideo(tl, {
      ff,
      baseDir: dir,
      outPath: join(dir, 'pngs-many'),
      chunks: 3,
      workers: 2,
    });
    expect(many).toMatchObject({ files: 30, chunks: 3 });
    const names = (await readdir(many.outPath)).sort();
    expect(names).toEqual((await readdir(one.outPath)).sort().map((n) => n.replace('pngs-one', 'pngs-many')));
    for (const n of names)
      expect(
        (await readFile(join(many.outPath, n))).equals(
          await readFile(join(one.outPath, n.replace('pngs-many', 'pngs-one'))),
        ),
        n,
      ).toBe(true);
  });

  it('WebM with VP9: chunks join into one file with every frame', async () => {
    const r = await renderVideo(timeline({ format: 'webm', crf: undefined }), {
      ff,
      baseDir: dir,
      outPath: join(dir, 'chunked.webm'),
      chunks: 2,
    });
    expect((await decode(r.outPath, 'video')).length).toBe(30 * FRAME);
    expect(r).toMatchObject({ videoEncoder: 'libvpx-vp9', audioEncoder: 'libopus', chunks: 2 });
  });
});

/** Pids of this process's children whose command line contains `text`. */
function childrenRunning(text: string): number[] {
  const out = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((l) => l.trim().match(/^(\d+)\s+(\d+)\s+(.*)$/))
    .filter((m): m is RegExpMatchArray => m !== null && Number(m[2]) === process.pid && m[3]!.includes(text))
    .map((m) => Number(m[1]));
}

/** Any process whose command line mentions `text`. */
function anyRunning(text: string): string[] {
  const out = execFileSync('ps', ['-eo', 'args='], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l.includes(text) && !l.includes('ps -eo'));
}

describe('cancelling a chunked render', () => {
  it('kills every chunk process and its ffmpeg, and leaves no file behind', async () => {
    const work = makeTempDir('chunked-cancel');
    const controller = new AbortController();
    let workers: number[] = [];
    const tl = timeline({ width: 320, height: 180, crf: 18, preset: 'medium' }, 8);
    const render = renderVideo(tl, {
      ff,
      baseDir: dir,
      outPath: join(work, 'cancelled.mp4'),
      chunks: 4,
      workers: 2,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.stage === 'video' && p.frame >= 10 && !controller.signal.aborted) {
          workers = childrenRunning('chunk-worker');
          controller.abort(new Error('test cancels'));
        }
      },
    });
    const e = await render.then(
      () => null,
      (err: unknown) => err,
    );
    expect(isReelforgeError(e, 'RENDER_CANCELLED')).toBe(true);
    expect(workers.length).toBe(2);
    for (const pid of workers) expect(isProcessAlive(pid), `chunk process ${pid}`).toBe(false);
    expect(childrenRunning('chunk-worker')).toEqual([]);
    expect(anyRunning(work)).toEqual([]);
    expect(await readdir(work)).toEqual([]);
    await rm(work, { recursive: true, force: true });
  });
});
