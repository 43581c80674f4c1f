import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  isProcessAlive,
  makeTestAudio,
  makeTestImage,
  makeTestVideo,
} from '../../test/helpers/media-fixtures.js';
import { makeTempDir } from '../../test/helpers/paths.js';
import { isReelforgeError, type ReelforgeError } from '../errors.js';
import { type Ffmpeg, findFfmpeg } from '../media/index.js';
import type { TimelineProblem } from '../timeline/index.js';
import { parseTimeline, type Timeline, type TimelineInput } from '../timeline/index.js';
import { renderFrame } from './render-frame.js';
import { type RenderProgress, renderVideo } from './render-video.js';

/**
 * How export fails: cancelled, killed, or fed bad, missing, corrupt and hostile inputs. Whatever
 * happens, nothing is left at the output path, no temporary file stays behind, and no ffmpeg runs on.
 */

let ff: Ffmpeg;
let dir: string;
let image: string;
let longVideo: string;

beforeAll(async () => {
  ff = await findFfmpeg();
  dir = makeTempDir('render-failures');
  [image, longVideo] = await Promise.all([
    makeTestImage(dir, { w: 160, h: 90, pattern: 'testsrc2' }),
    makeTestVideo(dir, { w: 160, h: 90, seconds: 10, withAudio: true }),
    makeTestAudio(dir, { seconds: 1 }),
  ]);
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Live ffmpeg/ffprobe processes started by this process. */
function ffmpegChildren(): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const ppid = Number(stat.slice(close + 2).split(' ')[1]);
      if (ppid === process.pid && /^ff(mpeg|probe)$/.test(comm) && isProcessAlive(Number(name))) {
        pids.push(Number(name));
      }
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

/** Files in the folder that an export of `outName` may have left: the output and its temporaries. */
async function leftovers(folder: string, outName: string): Promise<string[]> {
  return (await readdir(folder)).filter((f) => f === outName || f.startsWith(`.${outName}.`));
}

function timeline(tracks: TimelineInput['tracks'], output: Partial<TimelineInput['output']> = {}): Timeline {
  return parseTimeline({
    output: { width: 160, height: 90, fps: 30, preset: 'ultrafast', ...output },
    tracks,
  });
}

async function rejection(p: Promise<unknown>): Promise<ReelforgeError> {
  const e = await p.then(
    () => {
      throw new Error('expected the render to fail');
    },
    (err: unknown) => err,
  );
  if (!isReelforgeError(e)) throw e;
  return e;
}

const problemsOf = (e: ReelforgeError) => e.meta.details as TimelineProblem[];

describe('cancellation', () => {
  // 10 s (300 frames) with a video clip, a picture over it and sound: an encoder, a decoder and
  // an audio mix are all involved.
  const long = () =>
    timeline([
      { clips: [{ type: 'video', src: longVideo, start: 0 }] },
      {
        clips: [
          {
            type: 'image',
            src: image,
            start: 0,
            duration: 10,
            transform: {
              scale: 0.4,
              x: [
                { t: 0, value: 0.2 },
                { t: 10, value: 0.8 },
              ],
            },
          },
        ],
      },
    ]);

  it('mid-render rejects with RENDER_CANCELLED and leaves no file, no temporary and no ffmpeg', async () => {
    expect(ffmpegChildren()).toEqual([]);
    const out = makeTempDir('cancel');
    const ac = new AbortController();
    let runningWhenAborted: number[] = [];
    let videoEvents = 0;
    const e = await rejection(
      renderVideo(long(), {
        ff,
        baseDir: dir,
        outPath: join(out, 'cancelled.mp4'),
        signal: ac.signal,
        onProgress: (p: RenderProgress) => {
          if (p.stage !== 'video') return;
          videoEvents++;
          if (ac.signal.aborted) return;
          runningWhenAborted = ffmpegChildren();
          ac.abort(new Error('user pressed cancel'));
        },
      }),
    );
    expect(e.code).toBe('RENDER_CANCELLED');
    expect(videoEvents).toBe(1);
    // The encoder and the video decoder were running when the render was cancelled…
    expect(runningWhenAborted.length).toBeGreaterThanOrEqual(2);
    // …and are gone once the promise has settled.
    expect(ffmpegChildren()).toEqual([]);
    for (const pid of runningWhenAborted) expect(isProcessAlive(pid)).toBe(false);
    expect(await readdir(out)).toEqual([]);
    await rm(out, { recursive: true, force: true });
  });

  it('during the audio mix also cancels cleanly', async () => {
    const out = makeTempDir('cancel-audio');
    const ac = new AbortController();
    const e = await rejection(
      renderVideo(long(), {
        ff,
        baseDir: dir,
        outPath: join(out, 'cancelled.mp4'),
        signal: ac.signal,
        onProgress: (p) => {
          if (p.stage === 'audio') queueMicrotask(() => ac.abort());
        },
      }),
    );
    expect(e.code).toBe('RENDER_CANCELLED');
    expect(ffmpegChildren()).toEqual([]);
    expect(await readdir(out)).toEqual([]);
    await rm(out, { recursive: true, force: true });
  });

  it('with a signal already aborted does nothing at all', async () => {
    const out = makeTempDir('cancel-before');
    const e = await rejection(
      renderVideo(long(), { ff, baseDir: dir, outPath: join(out, 'x.mp4'), signal: AbortSignal.abort() }),
    );
    expect(e.code).toBe('RENDER_CANCELLED');
    expect(ffmpegChildren()).toEqual([]);
    expect(await readdir(out)).toEqual([]);
    await rm(out, { recursive: true, force: true });
  });

  it('an encoder killed from outside fails the render, retryably, and leaves nothing behind', async () => {
    const out = makeTempDir('killed');
    let killed: number[] = [];
    const e = await rejection(
      renderVideo(long(), {
        ff,
        baseDir: dir,
        outPath: join(out, 'killed.mp4'),
        onProgress: (p) => {
          if (p.stage !== 'video' || killed.length > 0) return;
          // Our own children only: the encoder is the one reading raw video from stdin.
          killed = ffmpegChildren().filter((pid) =>
            readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes('rawvideo'),
          );
          for (const pid of killed) process.kill(pid, 'SIGKILL');
        },
      }),
    );
    expect(killed.length).toBeGreaterThanOrEqual(1);
    expect(e.code).toBe('FFMPEG_KILLED');
    expect(e.meta.retryable).toBe(true);
    expect(ffmpegChildren()).toEqual([]);
    expect(await readdir(out)).toEqual([]);
    await rm(out, { recursive: true, force: true });
  });
});

describe('invalid timelines', () => {
  it('report every problem at its path', () => {
    const input = {
      output: { width: 161, height: 90 },
      tracks: [
        {
          clips: [
            { type: 'color', color: '#fff', start: 0, duration: 1 },
            { type: 'color', color: 'red', start: 1, duration: -2 },
          ],
        },
        { clips: [{ type: 'text', text: 'hi', start: 0, duration: 1, colour: '#fff' }] },
      ],
    };
    let e: ReelforgeError | undefined;
    try {
      parseTimeline(input);
    } catch (err) {
      if (isReelforgeError(err)) e = err;
    }
    expect(e?.code).toBe('TIMELINE_INVALID');
    const paths = problemsOf(e!).map((p) => p.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'output.width',
        'tracks[0].clips[1].color',
        'tracks[0].clips[1].duration',
        'tracks[1].clips[0].colour',
      ]),
    );
    expect(e!.message).toContain('tracks[0].clips[1].duration');
  });

  it('report a transition longer than its clip at the transition', () => {
    expect(() =>
      parseTimeline({
        output: { width: 160, height: 90 },
        tracks: [
          {
            clips: [
              { type: 'color', color: '#fff', start: 0, duration: 1 },
              {
                type: 'color',
                color: '#000',
                start: 1,
                duration: 1,
                transitionIn: { type: 'fade', duration: 2 },
              },
            ],
          },
        ],
      }),
    ).toThrowError(/tracks\[0\]\.clips\[1\]\.transitionIn\.duration/);
  });
});

describe('bad media', () => {
  it('a missing file: TIMELINE_MEDIA_MISSING naming the clip’s src, and no output', async () => {
    const outPath = join(dir, 'missing.mp4');
    const tl = timeline([
      { clips: [{ type: 'image', src: image, start: 0, duration: 1 }] },
      { clips: [{ type: 'image', src: 'nowhere/gone.png', start: 0, duration: 1 }] },
      {
        clips: [
          { type: 'audio', src: 'audio-440hz-1s.wav', start: 0 },
          { type: 'audio', src: 'gone.wav', start: 0 },
        ],
      },
    ]);
    const e = await rejection(renderVideo(tl, { ff, baseDir: dir, outPath }));
    expect(e.code).toBe('TIMELINE_MEDIA_MISSING');
    expect(problemsOf(e).map((p) => p.path)).toEqual(['tracks[1].clips[0].src', 'tracks[2].clips[1].src']);
    expect(e.message).toContain('tracks[1].clips[0].src');
    expect(e.message).toContain('nowhere/gone.png');
    expect(await leftovers(dir, 'missing.mp4')).toEqual([]);
    expect(ffmpegChildren()).toEqual([]);
  });

  it('a corrupt image fails the render and the single frame, naming the file, and writes nothing', async () => {
    await writeFile(join(dir, 'corrupt.jpg'), randomBytes(4096));
    const tl = timeline([{ clips: [{ type: 'image', src: 'corrupt.jpg', start: 0, duration: 1 }] }]);
    const e = await rejection(renderVideo(tl, { ff, baseDir: dir, outPath: join(dir, 'corrupt.mp4') }));
    // ffprobe accepts these bytes as an mjpeg stream; the media check asks sharp too.
    expect(e.code).toBe('TIMELINE_MEDIA_UNDECODABLE');
    expect(problemsOf(e).map((p) => p.path)).toEqual(['tracks[0].clips[0].src']);
    expect(e.message).toContain('corrupt.jpg');
    expect(e.meta.retryable).toBe(false);
    expect(await leftovers(dir, 'corrupt.mp4')).toEqual([]);
    expect(ffmpegChildren()).toEqual([]);
    const single = await rejection(renderFrame(tl, 0, { ff, baseDir: dir }));
    expect(single.code).toBe(e.code);
  });

  it('a URL as src is refused without being opened', async () => {
    const tl = timeline([
      { clips: [{ type: 'video', src: 'http://127.0.0.1:9/x.mp4', start: 0, duration: 1 }] },
    ]);
    const e = await rejection(renderVideo(tl, { ff, baseDir: dir, outPath: join(dir, 'url.mp4') }));
    expect(e.code).toBe('TIMELINE_MEDIA_UNDECODABLE');
    expect(e.message).toMatch(/tracks\[0\]\.clips\[0\]\.src: cannot be used: .*only local files/);
    expect(await leftovers(dir, 'url.mp4')).toEqual([]);
  });

  // Texts are functions: the fixtures' paths are known only once beforeAll has run.
  const hostile: Record<string, { name: string; text: () => string }> = {
    'an HLS playlist pointing at a network address': {
      name: 'evil.m3u8',
      text: () => '#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1.0,\nhttp://127.0.0.1:9/x.ts\n#EXT-X-ENDLIST\n',
    },
    'an HLS playlist naming a local file': {
      name: 'local.m3u8',
      text: () => '#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1.0,\n/etc/passwd\n#EXT-X-ENDLIST\n',
    },
    'an ffconcat list naming /etc/passwd': {
      name: 'evil.ffconcat',
      text: () => "ffconcat version 1.0\nfile '/etc/passwd'\n",
    },
    'an ffconcat list disguised as an MP4, naming a real video by its absolute path': {
      name: 'disguised.mp4',
      text: () => `ffconcat version 1.0\nfile '${longVideo}'\n`,
    },
    'an ffconcat list naming a real video beside it': {
      name: 'beside.txt',
      text: () => `ffconcat version 1.0\nfile '${basename(longVideo)}'\n`,
    },
  };

  for (const [what, { name, text }] of Object.entries(hostile)) {
    it(`${what}, used as a video clip, is refused and nothing is written`, async () => {
      await writeFile(join(dir, name), text());
      const outName = `out-${name}.mp4`;
      const tl = timeline([{ clips: [{ type: 'video', src: name, start: 0, duration: 1 }] }]);
      const e = await rejection(renderVideo(tl, { ff, baseDir: dir, outPath: join(dir, outName) }));
      if (e.code === 'TIMELINE_MEDIA_UNDECODABLE') {
        expect(problemsOf(e).map((p) => p.path)).toEqual(['tracks[0].clips[0].src']);
        expect(e.message).toMatch(/not allowed|refused|playlist or list of other files|unsafe/i);
      } else {
        expect(e.code).toBe('MEDIA_PROTOCOL_REFUSED');
      }
      expect(await leftovers(dir, outName)).toEqual([]);
      expect(ffmpegChildren()).toEqual([]);
    });
  }
});

describe('output', () => {
  it('an existing file with overwrite: false gives RENDER_OUTPUT_EXISTS and is left untouched', async () => {
    const outPath = join(dir, 'existing.mp4');
    const before = Buffer.from('not really a video, but mine');
    await writeFile(outPath, before);
    const mtime = (await stat(outPath)).mtimeMs;
    const tl = timeline([{ clips: [{ type: 'color', color: '#ff0000', start: 0, duration: 0.5 }] }]);
    const e = await rejection(renderVideo(tl, { ff, baseDir: dir, outPath, overwrite: false }));
    expect(e.code).toBe('RENDER_OUTPUT_EXISTS');
    expect((await readFile(outPath)).equals(before)).toBe(true);
    expect((await stat(outPath)).mtimeMs).toBe(mtime);
    expect(await leftovers(dir, 'existing.mp4')).toEqual(['existing.mp4']);
  });

  it('overwrite defaults to replacing the file', async () => {
    const outPath = join(dir, 'replaced.mp4');
    await writeFile(outPath, 'old');
    const tl = timeline([{ clips: [{ type: 'color', color: '#ff0000', start: 0, duration: 0.5 }] }]);
    const r = await renderVideo(tl, { ff, baseDir: dir, outPath });
    expect((await stat(outPath)).size).toBe(r.bytes);
    expect(r.bytes).toBeGreaterThan(100);
  });

  it('a range outside the timeline is refused before anything is encoded', async () => {
    const tl = timeline([{ clips: [{ type: 'color', color: '#ff0000', start: 0, duration: 0.5 }] }]);
    const e = await rejection(
      renderVideo(tl, { ff, baseDir: dir, outPath: join(dir, 'range.mp4'), from: 2, to: 3 }),
    );
    expect(e.code).toBe('RENDER_RANGE_INVALID');
    expect(await leftovers(dir, 'range.mp4')).toEqual([]);
  });
});
