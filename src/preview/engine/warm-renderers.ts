import { type Kernels, type RenderCache, Renderer } from '../../engine/index.js';
import type { Ffmpeg } from '../../media/index.js';
import { frameAt, frameTime } from '../../timeline/time.js';
import { encodePixels } from './encode-frame.js';
import { i420ToRgb } from './i420-to-rgb.js';
import type { FrameFormat } from './types.js';
import type { RendererSpec, WireFrame } from './worker-protocol.js';

/** A prepared Renderer with its reused frame buffers. */
interface Warm {
  renderer: Renderer;
  i420: Uint8Array;
  rgb: Uint8Array<ArrayBuffer>;
}

/**
 * The Renderers one worker keeps prepared, least recently used first out: preparing decodes and
 * scales every picture, so a timeline scrubbed again renders at once. Used by one task at a time.
 */
/** How long a new renderer must stay the newest before the rest of its pictures are prepared. */
const BACKGROUND_PREPARE_DELAY_MS = 300;

export class WarmRenderers {
  readonly #ff: Ffmpeg;
  readonly #kernels: Kernels;
  readonly #max: number;
  readonly #shared: RenderCache;
  readonly #map = new Map<string, Promise<Warm>>();
  /** The renderer made last: the one background picture preparation serves. */
  #latest: string | null = null;

  /**
   * `shared` holds probe results and prepared pictures for all of them, so that the Renderer of an
   * edited timeline (a new key) reuses what the previous version decoded.
   */
  constructor(ff: Ffmpeg, kernels: Kernels, max: number, shared: RenderCache) {
    this.#ff = ff;
    this.#kernels = kernels;
    this.#max = Math.max(1, max);
    this.#shared = shared;
  }

  get size(): number {
    return this.#map.size;
  }

  async #get(spec: RendererSpec): Promise<Warm> {
    const hit = this.#map.get(spec.key);
    if (hit) {
      this.#map.delete(spec.key);
      this.#map.set(spec.key, hit);
      return hit;
    }
    const made = (async () => {
      const renderer = new Renderer(spec.timeline, {
        ff: this.#ff,
        // Sources are absolute paths (the server resolves asset:<id>); nothing relative is expected.
        baseDir: '/',
        scale: spec.scale,
        quality: spec.level,
        kernels: this.#kernels,
        cache: this.#shared,
      });
      try {
        await renderer.prepare();
      } catch (e) {
        await renderer.close().catch(() => undefined);
        throw e;
      }
      this.#latest = spec.key;
      // The first frame decodes only the pictures it shows; the rest follow in the background (into
      // the shared cache) once edits pause, so that scrubbing elsewhere finds them ready. A newer
      // timeline (the next slider step) stops it: it would only compete with that one's frames. A
      // failure shows when a frame needs that picture.
      const current = () => this.#latest === spec.key && this.#map.has(spec.key);
      setTimeout(() => {
        if (current()) void renderer.preparePictures(current).catch(() => undefined);
      }, BACKGROUND_PREPARE_DELAY_MS).unref();
      const i420 = new Uint8Array(renderer.compositor.frameBytes);
      return { renderer, i420, rgb: new Uint8Array(renderer.width * renderer.height * 3) };
    })();
    this.#map.set(spec.key, made);
    // A failed prepare is not kept: the next request tries again (a missing file may be back).
    made.catch(() => {
      if (this.#map.get(spec.key) === made) this.#map.delete(spec.key);
    });
    for (const [key, old] of this.#map) {
      if (this.#map.size <= this.#max) break;
      this.#map.delete(key);
      void old.then((w) => w.renderer.close()).catch(() => undefined);
    }
    return made;
  }

  async #frame(w: Warm, time: number, format: FrameFormat): Promise<WireFrame> {
    const { renderer: r } = w;
    await r.render(time, w.i420);
    i420ToRgb(w.i420, r.width, r.height, w.rgb);
    const buf = await encodePixels(w.rgb, r.width, r.height, 3, format);
    return {
      bytes: new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength),
      width: r.width,
      height: r.height,
      time,
    };
  }

  /** The frame at `time` (the start of an output frame), encoded. */
  async frame(spec: RendererSpec, time: number, format: FrameFormat): Promise<WireFrame> {
    return this.#frame(await this.#get(spec), time, format);
  }

  /** `count` frames evenly spaced over the timeline (the middle of each span, on the frame grid). */
  async strip(spec: RendererSpec, count: number, format: FrameFormat): Promise<WireFrame[]> {
    const w = await this.#get(spec);
    const { fps, duration } = w.renderer;
    const out: WireFrame[] = [];
    for (let i = 0; i < count; i++) {
      const t = frameTime(frameAt(((i + 0.5) * duration) / count, fps), fps);
      out.push(await this.#frame(w, t, format));
    }
    return out;
  }

  async close(): Promise<void> {
    const all = [...this.#map.values()];
    this.#map.clear();
    await Promise.all(all.map((p) => p.then((w) => w.renderer.close()).catch(() => undefined)));
    this.#shared.clear();
  }
}
