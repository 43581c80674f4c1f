import type { Logger } from '../log.js';
import { type Ffmpeg, type FfmpegProcess, spawnFfmpeg } from '../media/index.js';
import type { YuvaImage } from './yuv-image.js';

/** How one video clip is decoded: at the output frame rate, at the size it is drawn at. */
export interface VideoSourceOptions {
  path: string;
  trimStart: number;
  speed: number;
  fps: number;
  /**
   * Source timing (speed ramps, freezes): frames are decoded at the source's own rate (this, in frames
   * per second) and frameAt() takes source seconds instead of clip seconds; trimStart and speed unused.
   */
  sourceFps?: number | undefined;
  /** Decoded size (even numbers). */
  width: number;
  height: number;
  hasAlpha: boolean;
  log?: Logger;
  /** Applied to each decoded frame once (colour adjustments). */
  adjust?: ((img: YuvaImage) => void) | undefined;
}

/**
 * Frames of one video clip, decoded by a single ffmpeg process into raw I420 at the output rate and
 * the drawn size, read in order with back-pressure. Asking for a time far ahead or behind restarts
 * the decoder at that point; past the end of the source the last frame is held.
 */
export class VideoSource {
  readonly #o: VideoSourceOptions;
  readonly #ff: Ffmpeg;
  readonly #frameBytes: number;
  #proc: FfmpegProcess | null = null;
  #iter: AsyncIterator<Buffer> | null = null;
  #pending: Buffer | null = null;
  #start = 0;
  #index = -1;
  #ended = false;
  #failure: unknown = null;
  readonly #buf: Buffer;
  readonly #image: YuvaImage;

  constructor(ff: Ffmpeg, options: VideoSourceOptions) {
    this.#ff = ff;
    this.#o = options;
    const { width: w, height: h } = options;
    const c = (w / 2) * (h / 2);
    this.#frameBytes = w * h + 2 * c + (options.hasAlpha ? w * h : 0);
    this.#buf = Buffer.alloc(this.#frameBytes);
    const b = this.#buf;
    const a = options.hasAlpha ? b.subarray(w * h + 2 * c) : null;
    this.#image = {
      w,
      h,
      y: b.subarray(0, w * h),
      u: b.subarray(w * h, w * h + c),
      v: b.subarray(w * h + c, w * h + 2 * c),
      a,
      a2: a ? new Uint8Array(c) : null,
    };
  }

  /** ffmpeg arguments for decoding from `at` (clip seconds, or source seconds with sourceFps). */
  static args(o: VideoSourceOptions, at: number): string[] {
    // By source time, `at` is a frame's start: seek a quarter frame earlier so that frame is kept.
    const seek = o.sourceFps ? Math.max(0, at - 0.25 / o.sourceFps) : o.trimStart + at * o.speed;
    const timing = o.sourceFps
      ? [`fps=${o.sourceFps}`]
      : [`setpts=(PTS-STARTPTS)/${o.speed}`, `fps=${o.fps}`];
    const filters = [
      ...timing,
      `scale=${o.width}:${o.height}:flags=bicubic`,
      `format=${o.hasAlpha ? 'yuva420p' : 'yuv420p'}`,
    ];
    return [
      ...(seek > 0 ? ['-ss', seek.toFixed(6)] : []),
      '-i',
      o.path,
      '-map',
      '0:v:0',
      '-vf',
      filters.join(','),
      '-f',
      'rawvideo',
      'pipe:1',
    ];
  }

  /**
   * The frame shown `at` seconds into the clip (or, with sourceFps, the source frame showing at `at`
   * source seconds). The returned image is reused by the next call.
   */
  async frameAt(at: number): Promise<YuvaImage> {
    const source = this.#o.sourceFps;
    const fps = source ?? this.#o.fps;
    const index = (p: number) =>
      source ? Math.floor((p - this.#start) * fps + 1e-6) : Math.round((p - this.#start) * fps);
    let k = index(at);
    if (this.#proc === null || k < this.#index || k > this.#index + 2 * fps) {
      await this.#restart(source ? Math.floor(at * fps + 1e-6) / fps : at);
      k = index(at);
    }
    while (this.#index < k && !this.#ended) {
      const ok = await this.#readFrame();
      if (!ok) break;
    }
    if (this.#index < 0) {
      if (this.#failure) throw this.#failure;
      throw new Error(`no frame could be decoded from ${this.#o.path} at ${at.toFixed(3)} s`);
    }
    return this.#image;
  }

  async #restart(at: number): Promise<void> {
    await this.close();
    this.#start = at;
    this.#index = -1;
    this.#ended = false;
    this.#failure = null;
    this.#pending = null;
    const proc = spawnFfmpeg(this.#ff, VideoSource.args(this.#o, at), {
      stdout: 'pipe',
      log: this.#o.log,
    });
    proc.done.catch((e) => {
      this.#failure = e;
    });
    this.#proc = proc;
    this.#iter = (proc.stdout as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  }

  async #readFrame(): Promise<boolean> {
    const iter = this.#iter!;
    let filled = 0;
    while (filled < this.#frameBytes) {
      let chunk = this.#pending;
      this.#pending = null;
      if (!chunk) {
        const r = await iter.next();
        if (r.done) {
          this.#ended = true;
          await this.#proc?.done.catch(() => undefined);
          if (this.#failure && this.#index < 0) throw this.#failure;
          return false;
        }
        chunk = r.value;
      }
      const take = Math.min(chunk.length, this.#frameBytes - filled);
      chunk.copy(this.#buf, filled, 0, take);
      filled += take;
      if (take < chunk.length) this.#pending = chunk.subarray(take);
    }
    this.#index++;
    const img = this.#image;
    if (img.a && img.a2) halveAlpha(img.a, img.a2, img.w, img.h);
    this.#o.adjust?.(img);
    return true;
  }

  /** Stops the decoder (idempotent). */
  async close(): Promise<void> {
    const proc = this.#proc;
    this.#proc = null;
    this.#iter = null;
    if (proc && proc.status === 'running') await proc.kill(500);
  }
}

/** The chroma-resolution alpha plane: the mean of each 2×2 block. */
function halveAlpha(a: Uint8Array, a2: Uint8Array, w: number, h: number): void {
  const cw = w >> 1;
  for (let y = 0; y < h >> 1; y++) {
    const r0 = 2 * y * w;
    const r1 = r0 + w;
    for (let x = 0; x < cw; x++) {
      const i = 2 * x;
      a2[y * cw + x] = (a[r0 + i]! + a[r0 + i + 1]! + a[r1 + i]! + a[r1 + i + 1]! + 2) >> 2;
    }
  }
}
