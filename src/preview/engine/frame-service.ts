import { availableParallelism } from 'node:os';
import { isReelforgeError, ReelforgeError } from '../../errors.js';
import type { Timeline } from '../../timeline/schema.js';
import { CircuitBreaker } from './breaker.js';
import { FrameCache } from './frame-cache.js';
import { cacheGroup, frameKey } from './frame-key.js';
import { affectedBy } from './invalidation.js';
import { type StripOptions, validateJob, validateOptions, validateStrip } from './job-checks.js';
import { affinityKey, Proxies, rendererSpec } from './render-spec.js';
import { SharedRenders } from './shared-renders.js';
import { indexTimeline } from './timeline-index.js';
import type {
  FrameFormat,
  FrameJob,
  FrameResult,
  FrameServiceOptions,
  FrameServiceStats,
  Quality,
} from './types.js';
import { renderWireframe } from './wireframe.js';
import { type PoolReply, WorkerPool } from './worker-pool.js';

/** What the cache keeps of a frame (the request's time and timings are filled in per request). */
interface Cached {
  key: string;
  bytes: Buffer;
  width: number;
  height: number;
  format: FrameFormat;
  quality: Quality;
}

/**
 * Renders preview frames at four qualities: `wireframe` on the calling thread (no media), the others
 * in a worker-thread pool with warm Renderers. Frames are cached by what they are made of (see
 * frameKey), rendering is wrapped in a circuit breaker (open: wireframe frames that say why), slow
 * frames time out, and stale requests (aborted signals) are dropped.
 */
export class FrameService {
  readonly #ff: FrameServiceOptions['ffmpeg'];
  readonly #proxies: Proxies;
  readonly #cache: FrameCache<Cached>;
  readonly #breaker: CircuitBreaker;
  readonly #timeoutMs: number;
  readonly #pool: WorkerPool;
  readonly #renders: SharedRenders;
  #closed = false;

  constructor(options: FrameServiceOptions) {
    validateOptions(options);
    this.#ff = options.ffmpeg;
    this.#proxies = new Proxies(options.proxyFor);
    this.#cache = new FrameCache(options.cacheBytes ?? 256 * 1024 * 1024);
    const b = options.breaker ?? {};
    this.#timeoutMs = b.timeoutMs ?? 10_000;
    this.#breaker = new CircuitBreaker({
      failureThreshold: b.failureThreshold ?? 5,
      openMs: b.openMs ?? 5000,
      now: options.now ?? (() => performance.now()),
    });
    this.#renders = new SharedRenders(this.#breaker, () => this.#unavailable());
    const ff = this.#ff;
    this.#pool = new WorkerPool({
      size: options.workers ?? availableParallelism(),
      init: {
        ffmpeg: {
          ffmpegPath: ff.ffmpegPath,
          ffprobePath: ff.ffprobePath,
          version: ff.version,
          major: ff.major,
          protocols: [...ff.protocols],
        },
        renderers: 4,
        sharedCacheBytes: 256 * 2 ** 20,
      },
      // Longer than any sane frame; a worker this late is hung and gets replaced.
      hardTimeoutMs: Math.max(30_000, this.#timeoutMs * 4),
    });
  }

  /** At preview quality video clips read their proxies. */
  #forQuality(timeline: Timeline, quality: Quality): Timeline {
    return quality === 'preview' ? this.#proxies.apply(timeline) : timeline;
  }

  async #degraded(
    timeline: Timeline,
    time: number,
    quality: Quality,
    format: FrameFormat,
    e: unknown,
    started: number,
  ): Promise<FrameResult> {
    const reason = isReelforgeError(e) ? `${e.code}: ${e.message}` : String(e);
    const wf = await renderWireframe(timeline, time, format, reason);
    return {
      ...wf,
      format,
      quality,
      time,
      cacheHit: false,
      renderMs: performance.now() - started,
      degraded: { reason },
    };
  }

  #unavailable(): ReelforgeError {
    const s = Math.ceil(this.#breaker.retryInMs / 1000);
    return new ReelforgeError(
      'PREVIEW_UNAVAILABLE',
      `preview rendering failed repeatedly and is paused; showing wireframes, next try in ${s} s`,
      { status: 503, retryable: true },
    );
  }

  /** One frame (see FrameJob). Rejects only for a malformed job, a stale request or a closed service. */
  async render(job: FrameJob): Promise<FrameResult> {
    const started = performance.now();
    validateJob(job);
    if (this.#closed)
      throw new ReelforgeError('PREVIEW_CLOSED', 'the frame service is closed', { status: 503 });
    if (job.signal?.aborted)
      throw new ReelforgeError('RENDER_CANCELLED', 'the frame request was superseded', { status: 499 });
    const { quality, format } = job;
    const timeline = this.#forQuality(job.timeline, quality);
    const k = frameKey(timeline, job.time, quality, format);
    const respond = (c: Cached, cacheHit: boolean, renderMs: number): FrameResult => ({
      bytes: c.bytes,
      width: c.width,
      height: c.height,
      format,
      quality,
      time: job.time,
      cacheHit,
      renderMs,
    });
    if (!job.noCache) {
      const hit = this.#cache.get(k.key);
      if (hit) return respond(hit.value, true, performance.now() - started);
    }
    const store = (c: Omit<Cached, 'key' | 'format' | 'quality'>): Cached => {
      const value: Cached = { ...c, key: k.key, format, quality };
      this.#cache.set(k.key, {
        value,
        bytes: c.bytes.length,
        time: k.frameTime,
        deps: k.deps,
        group: cacheGroup(timeline),
      });
      return value;
    };
    if (quality === 'wireframe') {
      const wf = await renderWireframe(timeline, k.frameTime, format);
      return respond(store(wf), false, performance.now() - started);
    }
    const spec = rendererSpec(timeline, quality);
    const picture = (r: PoolReply) => {
      const f = r.frames[0];
      if (!f) throw new ReelforgeError('RENDER_FAILED', 'a preview worker answered without a frame');
      // A view of the transferred buffer: no copy.
      return {
        bytes: Buffer.from(f.bytes.buffer, f.bytes.byteOffset, f.bytes.byteLength),
        width: f.width,
        height: f.height,
      };
    };
    try {
      const reply = await this.#renders.wait(
        {
          key: k.key,
          start: (signal) =>
            this.#pool.run(
              { type: 'frame', renderer: spec, time: k.frameTime, format },
              affinityKey(spec),
              signal,
            ),
          timeoutMs: this.#timeoutMs,
          // Stored once per render, whoever still waits for it.
          onReply: (r) => {
            if (!this.#closed) store(picture(r));
          },
        },
        job.signal,
      );
      return respond({ ...picture(reply), key: k.key, format, quality }, false, performance.now() - started);
    } catch (e) {
      if (isReelforgeError(e, 'RENDER_CANCELLED') || isReelforgeError(e, 'PREVIEW_CLOSED')) throw e;
      return this.#degraded(timeline, k.frameTime, quality, format, e, started);
    }
  }

  /** Thumbnails along the timeline: `count` frames evenly spaced, `width` px wide (preview quality). */
  async strip(timeline: Timeline, opts: StripOptions): Promise<FrameResult[]> {
    const started = performance.now();
    validateStrip(timeline, opts);
    if (this.#closed)
      throw new ReelforgeError('PREVIEW_CLOSED', 'the frame service is closed', { status: 503 });
    const tl = this.#forQuality(timeline, 'preview');
    const spec = rendererSpec(tl, 'preview', Math.min(1, opts.width / tl.output.width));
    try {
      const reply = await this.#renders.wait(
        {
          key: `strip\0${spec.key}\0${opts.count}\0${opts.format}`,
          start: (signal) =>
            this.#pool.run(
              { type: 'strip', renderer: spec, count: opts.count, format: opts.format },
              affinityKey(spec),
              signal,
            ),
          timeoutMs: this.#timeoutMs * Math.max(1, Math.ceil(opts.count / 8)),
          onReply: () => undefined,
        },
        opts.signal,
      );
      const each = reply.renderMs / Math.max(1, reply.frames.length);
      return reply.frames.map((f) => ({
        bytes: Buffer.from(f.bytes.buffer, f.bytes.byteOffset, f.bytes.byteLength),
        width: f.width,
        height: f.height,
        format: opts.format,
        quality: 'preview',
        time: f.time,
        cacheHit: false,
        renderMs: each,
      }));
    } catch (e) {
      if (isReelforgeError(e, 'RENDER_CANCELLED') || isReelforgeError(e, 'PREVIEW_CLOSED')) throw e;
      const d = indexTimeline(tl).knownDuration;
      const out: FrameResult[] = [];
      for (let i = 0; i < opts.count; i++)
        out.push(await this.#degraded(tl, ((i + 0.5) * d) / opts.count, 'preview', opts.format, e, started));
      return out;
    }
  }

  /**
   * Drops the cached frames of `previous` that `next` no longer shows the same: a frame goes when it
   * was made from `previous` (its key matches `previous` at its time) and its key differs under `next`.
   * Only entries in the changed ranges (or all of previous's, for a global change) are examined.
   */
  invalidate(previous: Timeline, next: Timeline): number {
    const affected = affectedBy(previous, next);
    const group = cacheGroup(previous);
    return this.#cache.dropWhere((e) => {
      if (e.group !== group) return false;
      if (!affected.all) {
        const inRange = affected.ranges.some(([a, b]) => e.time >= a - 1e-6 && e.time < b + 1e-6);
        if (!inRange && !e.deps.some((d) => affected.clipIds.has(d))) return false;
      }
      const { quality, format, key } = e.value;
      const before = frameKey(this.#forQuality(previous, quality), e.time, quality, format).key;
      if (before !== key) return false;
      return frameKey(this.#forQuality(next, quality), e.time, quality, format).key !== key;
    });
  }

  stats(): FrameServiceStats {
    return { cache: this.#cache.stats(), breaker: this.#breaker.stats(), pool: this.#pool.stats() };
  }

  /** Ends the worker threads (idempotent); later requests reject with PREVIEW_CLOSED. */
  close(): Promise<void> {
    this.#closed = true;
    return this.#pool.close();
  }
}
