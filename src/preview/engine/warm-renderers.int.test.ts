import { copyFile, rm } from 'node:fs/promises';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestImage } from '../../../test/helpers/media-fixtures.js';
import { makeTempDir } from '../../../test/helpers/paths.js';
import { loadKernels, RenderCache, renderFrame } from '../../engine/index.js';
import { type Ffmpeg, findFfmpeg } from '../../media/index.js';
import { parseTimeline, type Timeline } from '../../timeline/index.js';
import { WarmRenderers } from './warm-renderers.js';
import type { RendererSpec } from './worker-protocol.js';

/** A worker's warm Renderers, run on the test's own thread. */

let ff: Ffmpeg;
let dir: string;
let photo: string;

beforeAll(async () => {
  ff = await findFfmpeg();
  dir = makeTempDir('warm-renderers');
  photo = await makeTestImage(dir, { w: 320, h: 180, pattern: 'testsrc2' });
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const timeline = (title: string): Timeline =>
  parseTimeline({
    output: { width: 160, height: 90, fps: 30 },
    tracks: [
      {
        clips: [
          {
            type: 'image',
            src: photo,
            start: 0,
            duration: 2,
            camera: { from: { zoom: 1 }, to: { zoom: 1.4 } },
          },
        ],
      },
      { clips: [{ type: 'text', text: title, start: 0, duration: 2 }] },
    ],
  });

const spec = (tl: Timeline, key: string): RendererSpec => ({ key, timeline: tl, scale: 1, level: 'full' });

describe('WarmRenderers', () => {
  it('an edited timeline gets a new Renderer that takes its pictures from the shared cache', async () => {
    const shared = new RenderCache();
    const warm = new WarmRenderers(ff, loadKernels(), 4, shared);
    try {
      await warm.frame(spec(timeline('one'), 'v1'), 0.5, 'png');
      const before = shared.stats;
      const edited = timeline('two');
      const f = await warm.frame(spec(edited, 'v2'), 0.5, 'png');
      expect(warm.size).toBe(2);
      // The photo (and its probe) came from the cache: only the new title was made.
      expect(shared.stats.hits).toBeGreaterThan(before.hits);
      const ref = await renderFrame(edited, 0.5, { ff, baseDir: dir });
      const rgba = await sharp(Buffer.from(f.bytes)).ensureAlpha().raw().toBuffer();
      expect(Buffer.compare(rgba, Buffer.from(ref.rgba))).toBe(0);
    } finally {
      await warm.close();
    }
  });

  it('keeps at most `max` Renderers, least recently used out, and retries a failed prepare', async () => {
    const warm = new WarmRenderers(ff, loadKernels(), 2, new RenderCache());
    try {
      await warm.frame(spec(timeline('a'), 'a'), 0, 'jpeg');
      await warm.frame(spec(timeline('b'), 'b'), 0, 'jpeg');
      await warm.frame(spec(timeline('a'), 'a'), 0.1, 'jpeg'); // a is the most recent now
      await warm.frame(spec(timeline('c'), 'c'), 0, 'jpeg'); // b goes
      expect(warm.size).toBe(2);

      const missing = parseTimeline({
        output: { width: 160, height: 90, fps: 30 },
        tracks: [{ clips: [{ type: 'image', src: `${dir}/later.png`, start: 0, duration: 1 }] }],
      });
      await expect(warm.frame(spec(missing, 'm'), 0, 'jpeg')).rejects.toMatchObject({
        code: 'TIMELINE_MEDIA_MISSING',
      });
      await copyFile(await makeTestImage(dir, { w: 320, h: 180, color: 'blue' }), `${dir}/later.png`);
      const ok = await warm.frame(spec(missing, 'm'), 0, 'jpeg');
      expect([ok.width, ok.height]).toEqual([160, 90]);
    } finally {
      await warm.close();
    }
  });

  it('spreads a strip over the timeline on the frame grid', async () => {
    const warm = new WarmRenderers(ff, loadKernels(), 1, new RenderCache());
    try {
      const frames = await warm.strip({ ...spec(timeline('s'), 's'), scale: 0.5 }, 2, 'webp');
      expect(frames.map((f) => [f.width, f.height, Math.round(f.time * 30)])).toEqual([
        [80, 46, 15],
        [80, 46, 45],
      ]);
    } finally {
      await warm.close();
    }
  });
});
