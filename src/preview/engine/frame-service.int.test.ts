import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestImage, makeTestVideo } from '../../../test/helpers/media-fixtures.js';
import { makeTempDir } from '../../../test/helpers/paths.js';
import { renderFrame } from '../../engine/index.js';
import { isReelforgeError } from '../../errors.js';
import { type Ffmpeg, findFfmpeg } from '../../media/index.js';
import { parseTimeline, type Timeline, type TimelineInput } from '../../timeline/index.js';
import { FrameService } from './index.js';

/**
 * The frame service with real workers, ffmpeg and sharp on tiny timelines: the `full` frame is the
 * export's frame, the quality sizes, wireframes without media, the breaker on a real failure,
 * parallel workers, stale requests and close().
 */

let ff: Ffmpeg;
let dir: string;
let image: string;
let video: string;

beforeAll(async () => {
  ff = await findFfmpeg();
  dir = makeTempDir('preview-engine');
  [image, video] = await Promise.all([
    makeTestImage(dir, { w: 160, h: 90, pattern: 'testsrc2' }),
    makeTestVideo(dir, { w: 160, h: 90, seconds: 2 }),
  ]);
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

function timeline(input: Partial<TimelineInput> & { tracks: TimelineInput['tracks'] }): Timeline {
  return parseTimeline({ output: { width: 160, height: 90, fps: 30 }, ...input });
}

const mixed = () =>
  timeline({
    tracks: [
      {
        clips: [
          {
            type: 'image',
            src: image,
            start: 0,
            duration: 1,
            camera: { from: { zoom: 1 }, to: { zoom: 1.3 } },
          },
          { type: 'video', src: video, start: 1, transitionIn: { type: 'crossfade', duration: 0.5 } },
        ],
      },
      { clips: [{ type: 'text', text: 'Hello', start: 0.2, duration: 2 }] },
    ],
  });

async function rgbaOf(png: Buffer): Promise<Buffer> {
  return sharp(png).ensureAlpha().raw().toBuffer();
}

describe('FrameService with real workers', () => {
  it('`full` is the export frame: its PNG decodes to renderFrame’s RGBA, byte for byte', async () => {
    const svc = new FrameService({ ffmpeg: ff, workers: 1 });
    try {
      const tl = mixed();
      // In the still part, across the crossfade, and inside the video.
      for (const t of [0.5, 1.2, 1 + 20 / 30]) {
        const r = await svc.render({ timeline: tl, time: t, quality: 'full', format: 'png' });
        expect(r.degraded).toBeUndefined();
        const ref = await renderFrame(tl, t, { ff, baseDir: dir });
        expect([r.width, r.height]).toEqual([ref.width, ref.height]);
        expect(Buffer.compare(await rgbaOf(r.bytes), Buffer.from(ref.rgba))).toBe(0);
      }
    } finally {
      await svc.close();
    }
  });

  it('renders preview at ~480p and high at ~720p, caches, and serves JPEG and WebP', async () => {
    const svc = new FrameService({ ffmpeg: ff, workers: 1 });
    try {
      const tl = parseTimeline({
        output: { width: 1280, height: 720, fps: 30 },
        tracks: [
          {
            clips: [
              { type: 'color', color: '#204060', start: 0, duration: 1 },
              { type: 'image', src: image, start: 0, duration: 1, transform: { scale: 0.5 } },
            ],
          },
        ],
      });
      const preview = await svc.render({ timeline: tl, time: 0.3, quality: 'preview', format: 'jpeg' });
      expect([preview.width, preview.height]).toEqual([854, 480]);
      expect((await sharp(preview.bytes).metadata()).format).toBe('jpeg');
      const high = await svc.render({ timeline: tl, time: 0.3, quality: 'high', format: 'webp' });
      expect([high.width, high.height]).toEqual([1280, 720]);
      const meta = await sharp(high.bytes).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['webp', 1280, 720]);
      expect(preview.cacheHit).toBe(false);

      // Same frame (another time inside the same output frame, another equal timeline object): a hit.
      const again = await svc.render({
        timeline: structuredClone(tl),
        time: 0.3 + 0.01,
        quality: 'preview',
        format: 'jpeg',
      });
      expect(again.cacheHit).toBe(true);
      expect(Buffer.compare(again.bytes, preview.bytes)).toBe(0);
      const fresh = await svc.render({
        timeline: tl,
        time: 0.3,
        quality: 'preview',
        format: 'jpeg',
        noCache: true,
      });
      expect(fresh.cacheHit).toBe(false);
      const s = svc.stats();
      expect(s.cache.hits).toBe(1);
      expect(s.cache.entries).toBe(2);
      expect(s.pool.rendered).toBe(3);
    } finally {
      await svc.close();
    }
  });

  it('draws wireframes without touching media (files may be missing)', async () => {
    const svc = new FrameService({ ffmpeg: ff, workers: 1 });
    try {
      const tl = timeline({
        tracks: [{ clips: [{ type: 'image', src: join(dir, 'does-not-exist.png'), start: 0, duration: 2 }] }],
      });
      const r = await svc.render({ timeline: tl, time: 1, quality: 'wireframe', format: 'png' });
      expect(r.degraded).toBeUndefined();
      const meta = await sharp(r.bytes).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['png', 480, 270 + 28]);
      // No worker was needed.
      expect(svc.stats().pool.workers).toBe(0);
    } finally {
      await svc.close();
    }
  });

  it('opens the breaker after real failures (a deleted image), fails fast, probes and recovers', async () => {
    let now = 0;
    const svc = new FrameService({
      ffmpeg: ff,
      workers: 1,
      breaker: { failureThreshold: 2, openMs: 1000 },
      now: () => now,
    });
    const own = await makeTestImage(join(dir, 'breaker'), { w: 160, h: 90, color: 'red' });
    const hidden = `${own}.hidden`;
    try {
      const tl = timeline({ tracks: [{ clips: [{ type: 'image', src: own, start: 0, duration: 2 }] }] });
      await rename(own, hidden);
      const first = await svc.render({ timeline: tl, time: 0, quality: 'high', format: 'png' });
      expect(first.degraded?.reason).toMatch(/^TIMELINE_MEDIA_MISSING/);
      expect(first.degraded?.reason).toContain(own);
      expect([first.width, first.height]).toEqual([480, 270 + 28]);
      expect(svc.stats().breaker).toMatchObject({ state: 'closed', failures: 1 });
      await svc.render({ timeline: tl, time: 0.5, quality: 'high', format: 'png' });
      expect(svc.stats().breaker).toMatchObject({ state: 'open', opens: 1 });

      // Open: no worker is asked, the answer is a wireframe saying why.
      const rendered = svc.stats().pool.rendered;
      const fast = await svc.render({ timeline: tl, time: 1, quality: 'high', format: 'jpeg' });
      expect(fast.degraded?.reason).toMatch(/^PREVIEW_UNAVAILABLE/);
      expect(svc.stats().pool.rendered).toBe(rendered);

      // After openMs one probe goes through; it fails (still missing): open again.
      now += 1000;
      expect(svc.stats().breaker.state).toBe('half-open');
      const probe = await svc.render({ timeline: tl, time: 1, quality: 'high', format: 'png' });
      expect(probe.degraded?.reason).toMatch(/^TIMELINE_MEDIA_MISSING/);
      expect(svc.stats().breaker).toMatchObject({ state: 'open', opens: 2 });

      // The file is back: the next probe succeeds and the breaker closes.
      await rename(hidden, own);
      now += 1000;
      const ok = await svc.render({ timeline: tl, time: 1, quality: 'high', format: 'png' });
      expect(ok.degraded).toBeUndefined();
      expect([ok.width, ok.height]).toEqual([160, 90]);
      expect(svc.stats().breaker).toMatchObject({ state: 'closed', failures: 0 });
    } finally {
      await svc.close();
    }
  });

  it('degrades a frame that takes longer than timeoutMs', async () => {
    const svc = new FrameService({ ffmpeg: ff, workers: 1, breaker: { timeoutMs: 1 } });
    try {
      // The first frame waits for a worker thread to start, far longer than 1 ms.
      const r = await svc.render({ timeline: mixed(), time: 0, quality: 'preview', format: 'jpeg' });
      expect(r.degraded?.reason).toMatch(/^PREVIEW_TIMEOUT/);
      expect(svc.stats().breaker.failures).toBe(1);
    } finally {
      await svc.close();
    }
  });

  it('renders on several workers at once, and close() ends them', async () => {
    const svc = new FrameService({ ffmpeg: ff, workers: 2 });
    const a = mixed();
    const b = timeline({ tracks: [{ clips: [{ type: 'image', src: image, start: 0, duration: 1 }] }] });
    const both = Promise.all([
      svc.render({ timeline: a, time: 0.1, quality: 'high', format: 'jpeg' }),
      svc.render({ timeline: b, time: 0.1, quality: 'high', format: 'jpeg' }),
    ]);
    // Two timelines, two idle workers: both tasks run at once, none waits.
    expect(svc.stats().pool).toMatchObject({ workers: 2, busy: 2, queued: 0 });
    const [ra, rb] = await both;
    expect(ra.degraded).toBeUndefined();
    expect(rb.degraded).toBeUndefined();
    await svc.close();
    expect(svc.stats().pool.workers).toBe(0);
    await svc.close(); // idempotent
    await expect(svc.render({ timeline: a, time: 0, quality: 'high', format: 'jpeg' })).rejects.toMatchObject(
      {
        code: 'PREVIEW_CLOSED',
      },
    );
  });

  it('drops a stale request: never started if still queued, discarded if running', async () => {
    const svc = new FrameService({ ffmpeg: ff, workers: 1 });
    try {
      const tl = mixed();
      const running = new AbortController();
      const queued = new AbortController();
      const first = svc.render({
        timeline: tl,
        time: 0.1,
        quality: 'full',
        format: 'png',
        signal: running.signal,
      });
      const second = svc.render({
        timeline: tl,
        time: 0.2,
        quality: 'full',
        format: 'png',
        signal: queued.signal,
      });
      expect(svc.stats().pool).toMatchObject({ busy: 1, queued: 1 });
      queued.abort();
      running.abort();
      for (const p of [first, second]) {
        const e = await p.then(
          () => null,
          (err: unknown) => err,
        );
        expect(isReelforgeError(e, 'RENDER_CANCELLED')).toBe(true);
      }
      expect(svc.stats().pool.queued).toBe(0);
      // Cancelling is not a failure.
      expect(svc.stats().breaker.failures).toBe(0);
      // The next request runs after the discarded one; the queued one never ran.
      const next = await svc.render({ timeline: tl, time: 0.3, quality: 'full', format: 'png' });
      expect(next.degraded).toBeUndefined();
      expect(svc.stats().pool.rendered).toBe(2);
      const abortedEarly = new AbortController();
      abortedEarly.abort();
      await expect(
        svc.render({ timeline: tl, time: 0.4, quality: 'full', format: 'png', signal: abortedEarly.signal }),
      ).rejects.toMatchObject({ code: 'RENDER_CANCELLED' });
      expect(svc.stats().pool.rendered).toBe(2);
    } finally {
      await svc.close();
    }
  });

  it('reads video proxies at preview quality and originals at high', async () => {
    const original = join(dir, 'original-not-here.mp4');
    const svc = new FrameService({
      ffmpeg: ff,
      workers: 1,
      proxyFor: (path) => (path === original ? video : null),
    });
    try {
      const tl = timeline({ tracks: [{ clips: [{ type: 'video', src: original, start: 0, duration: 1 }] }] });
      const preview = await svc.render({ timeline: tl, time: 0.5, quality: 'preview', format: 'jpeg' });
      expect(preview.degraded).toBeUndefined();
      const high = await svc.render({ timeline: tl, time: 0.5, quality: 'high', format: 'jpeg' });
      expect(high.degraded?.reason).toMatch(/^TIMELINE_MEDIA_MISSING[\s\S]*original-not-here/);
    } finally {
      await svc.close();
    }
  });

  it('refuses bad options, naming each', () => {
    expect(() => new FrameService({ ffmpeg: ff, workers: 0, breaker: { timeoutMs: -1 } })).toThrow(
      'preview.workers: expected a whole number ≥ 1, got 0; preview.breaker.timeoutMs: expected a whole number ≥ 1, got -1',
    );
  });

  it('refuses a malformed job with a message naming the field', async () => {
    const svc = new FrameService({ ffmpeg: ff, workers: 1 });
    try {
      const tl = mixed();
      await expect(
        svc.render({ timeline: tl, time: -1, quality: 'full', format: 'png' }),
      ).rejects.toMatchObject({
        code: 'PREVIEW_FRAME_INVALID',
        message: 'frame.time: expected a number of seconds ≥ 0, got -1',
      });
      await expect(
        svc.render({ timeline: tl, time: Number.NaN, quality: 'full', format: 'png' }),
      ).rejects.toMatchObject({ code: 'PREVIEW_FRAME_INVALID' });
      const bad = { timeline: tl, time: 0, quality: 'ultra', format: 'gif' } as unknown as Parameters<
        FrameService['render']
      >[0];
      await expect(svc.render(bad)).rejects.toThrow(
        /frame\.quality: expected one of wireframe, preview, high, full, got "ultra"/,
      );
      await expect(svc.strip(tl, { count: 2, width: 4000, format: 'png' })).rejects.toThrow(
        /strip\.width: .* from 16 to 160/,
      );
      expect(svc.stats().pool.workers).toBe(0);
    } finally {
      await svc.close();
    }
  });

  it('renders a frame once for all concurrent requests; dropped only when every one is stale', async () => {
    const svc = new FrameService({ ffmpeg: ff, workers: 1 });
    try {
      const tl = mixed();
      const first = new AbortController();
      // Two requests inside the same output frame (two sessions, or a prefetch and the real request).
      const a = svc.render({
        timeline: tl,
        time: 0.5,
        quality: 'high',
        format: 'jpeg',
        signal: first.signal,
      });
      const b = svc.render({ timeline: structuredClone(tl), time: 0.51, quality: 'high', format: 'jpeg' });
      expect(svc.stats().pool.busy + svc.stats().pool.queued).toBe(1);
      first.abort();
      await expect(a).rejects.toMatchObject({ code: 'RENDER_CANCELLED' });
      const rb = await b;
      expect(rb.degraded).toBeUndefined();
      expect(rb.time).toBe(0.51);
      expect(svc.stats().pool.rendered).toBe(1);

      // A frame queued behind another, asked for twice, both stale: it never renders.
      const busy = svc.render({ timeline: tl, time: 1.5, quality: 'high', format: 'jpeg' });
      const c1 = new AbortController();
      const c2 = new AbortController();
      const c = svc.render({ timeline: tl, time: 0.2, quality: 'high', format: 'jpeg', signal: c1.signal });
      const d = svc.render({ timeline: tl, time: 0.2, quality: 'high', format: 'jpeg', signal: c2.signal });
      expect(svc.stats().pool).toMatchObject({ busy: 1, queued: 1 });
      c1.abort();
      await expect(c).rejects.toMatchObject({ code: 'RENDER_CANCELLED' });
      expect(svc.stats().pool.queued).toBe(1); // d still wants it
      c2.abort();
      await expect(d).rejects.toMatchObject({ code: 'RENDER_CANCELLED' });
      expect(svc.stats().pool.queued).toBe(0);
      await busy;
      expect(svc.stats().pool.rendered).toBe(2);
      expect(svc.stats().breaker.failures).toBe(0);
    } finally {
      await svc.close();
    }
  });

  it('makes a thumbnail strip along the timeline', async () => {
    const svc = new FrameService({ ffmpeg: ff, workers: 1 });
    try {
      const frames = await svc.strip(mixed(), { count: 4, width: 80, format: 'jpeg' });
      expect(frames).toHaveLength(4);
      for (const f of frames) {
        expect([f.width, f.height, f.quality, f.degraded]).toEqual([80, 46, 'preview', undefined]);
      }
      // Evenly spaced over the 3 s the video sets: the frame showing at the middle of each quarter.
      expect(frames.map((f) => Math.round(f.time * 30))).toEqual([11, 33, 56, 78]);
      await expect(svc.strip(mixed(), { count: 0, width: 80, format: 'jpeg' })).rejects.toMatchObject({
        code: 'PREVIEW_FRAME_INVALID',
      });
    } finally {
      await svc.close();
    }
  });
});
