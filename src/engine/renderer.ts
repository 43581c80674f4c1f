import { access } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { ReelforgeError } from '../errors.js';
import type { Logger } from '../log.js';
import { type Ffmpeg, type MediaInfo, probe } from '../media/index.js';
import { adjustFor } from '../timeline/animate.js';
import { assertTimelineMedia } from '../timeline/check-timeline-media.js';
import type { Timeline, VisualClip } from '../timeline/schema.js';
import {
  clipDurationFromSource,
  clipKey,
  clipDuration as declaredDuration,
  frameCount,
  frameTime,
  timelineDuration,
} from '../timeline/time.js';
import { parseColor } from './color.js';
import { Compositor, type Picture } from './compositor.js';
import { linearScale } from './geometry.js';
import { type Kernels, loadKernels } from './kernels/kernels.js';
import { type ClipRef, clipLayers, homeBox, type Layer, type LayerContext, layersAt } from './layers.js';
import {
  applyAdjust,
  imageSize,
  loadImagePicture,
  renderGradientPicture,
  renderTextPicture,
} from './pictures.js';
import { VideoSource } from './video-source.js';
import { solidYuva } from './yuv-image.js';

/** Options shared by single-frame rendering and export. */
export interface RendererOptions {
  ff: Ffmpeg;
  /** Folder that relative `src` paths are resolved against (the timeline file's folder). */
  baseDir: string;
  /** Renders at a fraction of the output size (0.05–1), e.g. for drafts. */
  scale?: number;
  kernels?: Kernels;
  log?: Logger;
  signal?: AbortSignal;
}

interface ClipEntry {
  ref: ClipRef;
  clip: VisualClip;
  duration: number;
  size: { w: number; h: number };
  picture: Picture | null;
  video: VideoSource | null;
}

const even = (n: number) => Math.max(2, Math.round(n / 2) * 2);

/** Resolves a clip's `src`: a local path, relative to the timeline's folder. URLs are refused. */
export function resolveSrc(baseDir: string, src: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(src) && !/^[a-z]:[\\/]/i.test(src)) {
    throw new ReelforgeError(
      'MEDIA_PROTOCOL_REFUSED',
      `src ${JSON.stringify(src)}: only local files can be used`,
      {
        status: 422,
        retryable: false,
      },
    );
  }
  return isAbsolute(src) ? src : resolve(baseDir, src);
}

/**
 * Turns a validated timeline into frames. `prepare()` checks and decodes the media once (each picture
 * pre-scaled to the largest size it is drawn at); `render(t, into)` composites one I420 frame. Export
 * and single frames use this same object, so a single frame is the exported frame.
 */
export class Renderer {
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  duration = 0;
  readonly timeline: Timeline;
  readonly compositor: Compositor;
  readonly media = new Map<string, MediaInfo>();
  readonly #o: RendererOptions;
  readonly #clips = new Map<string, ClipEntry>();
  readonly #ctx: LayerContext;

  constructor(timeline: Timeline, options: RendererOptions) {
    const s = Math.min(1, Math.max(0.05, options.scale ?? 1));
    this.timeline = timeline;
    this.#o = options;
    this.width = even(timeline.output.width * s);
    this.height = even(timeline.output.height * s);
    this.fps = timeline.output.fps;
    const bg = parseColor(timeline.output.background);
    this.compositor = new Compositor(this.width, this.height, bg, options.kernels ?? loadKernels());
    this.#ctx = {
      width: this.width,
      height: this.height,
      pictureSize: (ref) => this.#entry(ref).size,
      clipDuration: (ref) => this.#entry(ref).duration,
    };
  }

  get frameCount(): number {
    return frameCount(this.duration, this.fps);
  }

  #entry(ref: ClipRef): ClipEntry {
    const e = this.#clips.get(ref.key);
    if (!e) throw new ReelforgeError('INTERNAL', `clip ${ref.key} was not prepared`);
    return e;
  }

  #path(src: string): string {
    return resolveSrc(this.#o.baseDir, src);
  }

  /** The file a clip's `src` names. */
  resolve(src: string): string {
    return this.#path(src);
  }

  /** Checks every media file, resolves durations and sizes, and decodes the pictures. */
  async prepare(): Promise<void> {
    const { ff, signal } = this.#o;
    await assertTimelineMedia(
      this.timeline,
      {
        resolvePath: (src) => this.#path(src),
        exists: (p) =>
          access(p).then(
            () => true,
            () => false,
          ),
        probe: async (p) => {
          const info = await probe(ff, p, { signal });
          this.media.set(p, info);
          return info;
        },
      },
      { signal },
    );
    const durations = new Map<string, number>();
    this.timeline.tracks.forEach((track, ti) => {
      track.clips.forEach((clip, ci) => {
        if (declaredDuration(clip) !== undefined || (clip.type === 'audio' && clip.loop)) return;
        if (clip.type !== 'video' && clip.type !== 'audio') return;
        const info = this.media.get(this.#path(clip.src));
        const src =
          (clip.type === 'video' ? info?.durationSec : (info?.audio?.durationSec ?? info?.durationSec)) ?? 0;
        durations.set(clipKey(ti, ci), clipDurationFromSource(clip, src));
      });
    });
    this.duration = timelineDuration(this.timeline, durations);
    // Intrinsic sizes first: prepared sizes depend on how large each clip is ever drawn.
    for (const [ti, track] of this.timeline.tracks.entries()) {
      for (const [ci, clip] of track.clips.entries()) {
        if (clip.type === 'audio') continue;
        const ref = { track: ti, index: ci, key: `t${ti}.c${ci}` };
        const duration = declaredDuration(clip, durations.get(clipKey(ti, ci))) ?? 0;
        this.#clips.set(ref.key, {
          ref,
          clip,
          duration,
          size: await this.#intrinsicSize(clip),
          picture: null,
          video: null,
        });
      }
    }
    for (const entry of this.#clips.values()) {
      signal?.throwIfAborted();
      await this.#preparePicture(entry);
    }
  }

  async #intrinsicSize(clip: VisualClip): Promise<{ w: number; h: number }> {
    if (clip.type === 'image') return imageSize(this.#path(clip.src));
    if (clip.type === 'video') {
      const v = this.media.get(this.#path(clip.src))?.video;
      if (!v)
        throw new ReelforgeError('MEDIA_UNREADABLE', `${clip.src}: no video stream`, {
          status: 422,
          retryable: false,
        });
      return { w: v.displayWidth, h: v.displayHeight };
    }
    const [, , bw, bh] = homeBox(clip, this.width, this.height);
    return { w: bw, h: bh };
  }

  /** The largest scale (output pixels per intrinsic pixel) a clip is drawn at over its life. */
  #maxScale(entry: ClipEntry): number {
    let max = 0;
    const n = 24;
    for (let i = 0; i <= n; i++) {
      const t = entry.clip.start + Math.min(i / n, 0.9999) * entry.duration;
      for (const l of clipLayers(this.timeline, entry.clip, entry.ref, t, this.#ctx))
        max = Math.max(max, linearScale(l.forward));
    }
    return max || 1;
  }

  async #preparePicture(entry: ClipEntry): Promise<void> {
    const { clip, size } = entry;
    const adjust = clip.adjust ? adjustFor(clip.adjust, this.timeline.params.grade) : null;
    const kernels = this.#o.kernels ?? loadKernels();
    const s = this.#maxScale(entry);
    if (clip.type === 'image') {
      const w = Math.max(1, Math.min(size.w, Math.round(size.w * s)));
      const h = Math.max(1, Math.min(size.h, Math.round(size.h * s)));
      entry.picture = await loadImagePicture(this.#path(clip.src), w, h);
    } else if (clip.type === 'video') {
      const info = this.media.get(this.#path(clip.src))!.video!;
      entry.video = new VideoSource(this.#o.ff, {
        path: this.#path(clip.src),
        trimStart: clip.trimStart,
        speed: clip.speed,
        fps: this.fps,
        width: even(Math.min(size.w, size.w * s)),
        height: even(Math.min(size.h, size.h * s)),
        hasAlpha: info.hasAlpha,
        log: this.#o.log,
        adjust: adjust ? (img) => applyAdjust(img, adjust, kernels) : undefined,
      });
      return;
    } else if (clip.type === 'text') {
      entry.picture = renderTextPicture(clip, size.w, size.h, this.height, Math.max(1, s));
    } else if (clip.type === 'gradient') {
      entry.picture = renderGradientPicture(
        clip,
        even(size.w * Math.min(1, s)),
        even(size.h * Math.min(1, s)),
      );
    } else {
      entry.picture = { image: solidYuva(parseColor(clip.color)) };
    }
    if (entry.picture) applyAdjust(entry.picture.image, adjust, kernels);
  }

  /** The layers at time t, bottom first. */
  layersAt(t: number): Layer[] {
    return layersAt(this.timeline, t, this.#ctx);
  }

  /**
   * A key that is equal for two times exactly when they produce the same picture, or null when
   * that cannot be known cheaply (a video is playing). Export re-sends the previous frame then.
   */
  signature(layers: readonly Layer[]): string | null {
    if (layers.some((l) => this.#entry(l.ref).video)) return null;
    return JSON.stringify(layers, (k, v) => (k === 'local' ? undefined : v));
  }

  /** Composites the frame at time t into `into` (an I420 buffer of compositor.frameBytes). */
  async render(t: number, into: Uint8Array, layers = this.layersAt(t)): Promise<void> {
    const frames = new Map<string, Picture>();
    for (const l of layers) {
      const e = this.#entry(l.ref);
      if (e.video && !frames.has(l.ref.key)) frames.set(l.ref.key, { image: await e.video.frameAt(l.local) });
    }
    this.compositor.draw(into, layers, (l) => frames.get(l.ref.key) ?? this.#entry(l.ref).picture!);
  }

  /** The frame at index i of the output (time i / fps). */
  async renderFrame(i: number, into: Uint8Array): Promise<void> {
    return this.render(frameTime(i, this.fps), into);
  }

  /** Stops video decoders (idempotent). */
  async close(): Promise<void> {
    await Promise.all([...this.#clips.values()].map((e) => e.video?.close()));
  }
}
