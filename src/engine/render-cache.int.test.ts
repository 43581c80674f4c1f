import { beforeAll, describe, expect, it } from 'vitest';
import { makeTestImage, makeTestVideo } from '../../test/helpers/media-fixtures.js';
import { makeTempDir } from '../../test/helpers/paths.js';
import { type Ffmpeg, findFfmpeg } from '../media/index.js';
import { parseTimeline } from '../timeline/index.js';
import { RenderCache } from './render-cache.js';
import { renderFrame } from './render-frame.js';
import { Renderer } from './renderer.js';

let ff: Ffmpeg;
let dir: string;
let a: string;
let b: string;
let clip: string;

beforeAll(async () => {
  ff = await findFfmpeg({});
  dir = makeTempDir('render-cache');
  a = await makeTestImage(dir, { w: 320, h: 180, pattern: 'testsrc2' });
  b = await makeTestImage(dir, { w: 320, h: 180, color: 'red' });
  clip = await makeTestVideo(dir, { w: 160, h: 90, fps: 10, seconds: 2 });
});

const timeline = (color: string) =>
  parseTimeline({
    output: { width: 160, height: 90, fps: 10, duration: 3 },
    tracks: [
      {
        clips: [
          {
            type: 'image',
            src: a,
            start: 0,
            duration: 2,
            camera: { from: { zoom: 1 }, to: { zoom: 1.2 } },
          },
          {
            type: 'image',
            src: b,
            start: 1.5,
            duration: 1.5,
            transitionIn: { type: 'crossfade', duration: 0.5 },
          },
          { type: 'text', text: 'Hi', start: 0, duration: 3, color },
        ],
      },
    ],
  });

describe('Renderers sharing a RenderCache', () => {
  it('draw the same frames as an uncached renderer and do not decode pictures twice', async () => {
    const cache = new RenderCache();
    for (const t of [0.5, 1.7, 2.5]) {
      const plain = await renderFrame(timeline('#ffffff'), t, { ff, baseDir: dir });
      const cached = await renderFrame(timeline('#ffffff'), t, { ff, baseDir: dir, cache });
      expect(Buffer.from(cached.i420).equals(Buffer.from(plain.i420))).toBe(true);
    }
    const before = cache.stats;
    // An edit elsewhere (the title's colour) makes a new renderer: the photos come from the cache.
    const edited = new Renderer(timeline('#ffff00'), { ff, baseDir: dir, cache });
    await edited.prepare();
    await edited.render(1.7, new Uint8Array(edited.compositor.frameBytes));
    await edited.close();
    const after = cache.stats;
    expect(after.hits).toBeGreaterThan(before.hits);
    // Only the changed title is new: one more picture, nothing else missed.
    expect(after.misses - before.misses).toBe(1);
  });

  it('renders a frame out of order after the clips before it were released', async () => {
    const r = new Renderer(timeline('#ffffff'), { ff, baseDir: dir });
    await r.prepare();
    const a = new Uint8Array(r.compositor.frameBytes);
    const b = new Uint8Array(r.compositor.frameBytes);
    await r.render(0.5, a);
    await r.render(2.9, b); // frees the first photo's picture
    const again = new Uint8Array(r.compositor.frameBytes);
    await r.render(0.5, again);
    await r.close();
    expect(Buffer.from(again).equals(Buffer.from(a))).toBe(true);
  });

  it('keep decoded video frames, so going back to a frame needs no decoder', async () => {
    const cache = new RenderCache();
    const video = parseTimeline({
      output: { width: 160, height: 90, fps: 10, duration: 2 },
      tracks: [{ clips: [{ type: 'video', src: clip, start: 0 }] }],
    });
    const times = [1.5, 0.3, 1.5, 0.3];
    const frames = [];
    for (const t of times) frames.push((await renderFrame(video, t, { ff, baseDir: dir, cache })).i420);
    const plain = await renderFrame(video, 0.3, { ff, baseDir: dir });
    expect(Buffer.from(frames[1]!).equals(Buffer.from(plain.i420))).toBe(true);
    expect(Buffer.from(frames[3]!).equals(Buffer.from(frames[1]!))).toBe(true);
    expect(Buffer.from(frames[2]!).equals(Buffer.from(frames[0]!))).toBe(true);
    expect(Buffer.from(frames[0]!).equals(Buffer.from(frames[1]!))).toBe(false);
    // Two decoded frames held (besides the probe result); asking again is a hit for the probe and the frame.
    expect(cache.stats.bytes).toBeGreaterThanOrEqual(2 * 160 * 90 * 1.5);
    const before = cache.stats;
    await renderFrame(video, 1.5, { ff, baseDir: dir, cache });
    expect(cache.stats).toMatchObject({ misses: before.misses, hits: before.hits + 2 });
  });
});
