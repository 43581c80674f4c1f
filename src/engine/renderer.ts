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
  frameAt,
  frameCount,
  frameTime,
  timelineDuration,
} from '../timeline/time.js';
import { parseColor } from './color.js';
import type { Compositor, Picture } from './compositor.js';
import { assertDepthMaps, loadDepthMap } from './effects/depth-map.js';
import { trackDepths } from './effects/depth-of-field.js';
import { DofPictures } from './effects/dof-pictures.js';
import { EffectCompositor } from './effects/effect-compositor.js';
import { MorphFrames } from './effects/morph.js';
import { cullUnderMorph, planMorphs, stackUpTo } from './effects/morph-plan.js';
import { withMotion } from './effects/motion-blur.js';
import {
  type EffectParams,
  type EffectsQuality,
  effectParams,
  type QualityLevel,
  resolveQuality,
} from './effects/quality.js';
import { isRemapped, type SourceClock, sourceClock } from './effects/source-time.js';
import { even, linearScale } from './geometry.js';
import { createGrade } from './grade/index.js';
import { type Kernels, loadKernels } from './kernels/kernels.js';
import { type ClipRef, clipLayers, homeBox, type Layer, type LayerContext, layersAt } from './layers.js';
import {
  applyAdjust,
  imageSize,
  loadImagePicture,
  renderGradientPicture,
  renderTextPicture,
} from './pictures.js';
import type { RenderCache } from './render-cache.js';
import { VideoSource } from './video-source.js';
import { solidYuva, type YuvaImage } from './yuv-image.js';

/** Options shared by single-frame rendering and export. */
export interface RendererOptions {
  ff: Ffmpeg;
  /** Folder that relative `src` paths are resolved against (the timeline file's folder). */
  baseDir: string;
  /** Renders at a fraction of the output size (0.05–1), e.g. for drafts. */
  scale?: number;
  /** How much work the effects may take: `full` (export, the default) or a cheaper preview level. */
  quality?: QualityLevel | Partial<EffectsQuality>;
  kernels?: Kernels;
  log?: Logger;
  signal?: AbortSignal;
  /**
   * Media facts and prepared pictures shared with other Renderers (a preview worker's), so that a
   * new Renderer for an edited timeline does not decode its pictures again.
   */
  cache?: RenderCache;
}

interface ClipEntry {
  ref: ClipRef;
  clip: VisualClip;
  duration: number;
  size: { w: number; h: number };
  picture: Picture | null;
  /** The picture being prepared (pictures are prepared when first needed, or a little before). */
  loading: Promise<void> | null;
  video: VideoSource | null;
  /** What the video's decoded frames depend on, as a cache key (shared caches only). */
  videoKey: string | null;
  /** Clip seconds → source seconds for a speed-ramped or frozen video. */
  clock: SourceClock | null;
  morphs: { in?: MorphFrames; out?: MorphFrames };
}

/** How far ahead of the frame being rendered pictures are prepared. */
const PREPARE_AHEAD_SECONDS = 2;

const copyYuva = (img: YuvaImage): YuvaImage => ({
  w: img.w,
  h: img.h,
  y: img.y.slice(),
  u: img.u.slice(),
  v: img.v.slice(),
  a: img.a?.slice() ?? null,
  a2: img.a2?.slice() ?? null,
});

const pictureBytes = (img: YuvaImage) =>
  img.y.byteLength +
  img.u.byteLength +
  img.v.byteLength +
  (img.a?.byteLength ?? 0) +
  (img.a2?.byteLength ?? 0);

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
 *
 * The effects are drawn here too: depth of field picks blurred pictures, motion blur averages the
 * moving layers over the shutter (ShutterCompositor), morphs draw prepared in-betweens, the grade is
 * applied to the composite, and with params.resolutionScale < 1 everything is drawn at the smaller
 * size and scaled up to the output at the end.
 */
export class Renderer {
  /** Output frame size (what render() fills). */
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  duration = 0;
  readonly timeline: Timeline;
  /** The output-size compositor (its frameBytes size the frames render() fills). */
  readonly compositor: Compositor;
  readonly media = new Map<string, MediaInfo>();
  readonly #o: RendererOptions;
  readonly #quality: EffectsQuality;
  readonly #fx: EffectParams;
  readonly #kernels: Kernels;
  readonly #clips = new Map<string, ClipEntry>();
  readonly #ctx: LayerContext;
  /** The size layers are drawn at: the output size times params.resolutionScale. */
  readonly #dw: number;
  readonly #dh: number;
  /** Draws at the drawing size; scaled up into the output frame afterwards when smaller. */
  readonly #fxc: EffectCompositor;
  readonly #dof: DofPictures;

  constructor(timeline: Timeline, options: RendererOptions) {
    const s = Math.min(1, Math.max(0.05, options.scale ?? 1));
    this.timeline = timeline;
    this.#o = options;
    this.#quality = resolveQuality(options.quality);
    this.#fx = effectParams(timeline);
    this.#kernels = options.kernels ?? loadKernels();
    this.width = even(timeline.output.width * s);
    this.height = even(timeline.output.height * s);
    this.fps = timeline.output.fps;
    const r = this.#fx.resolutionScale;
    this.#dw = r < 1 ? even(this.width * r) : this.width;
    this.#dh = r < 1 ? even(this.height * r) : this.height;
    const bg = parseColor(timeline.output.background);
    this.#fxc = new EffectCompositor({
      width: this.width,
      height: this.height,
      drawWidth: this.#dw,
      drawHeight: this.#dh,
      background: bg,
      kernels: this.#kernels,
    });
    this.compositor = this.#fxc.output;
    this.#dof = new DofPictures(this.#kernels, this.#dh);
    const depths = trackDepths(timeline);
    this.#ctx = {
      width: this.#dw,
      height: this.#dh,
      pictureSize: (ref) => this.#entry(ref).size,
      clipDuration: (ref) => this.#entry(ref).duration,
      trackDepth: (track) => depths[track] ?? 0,
    };
  }

  get frameCount(): number {
    return frameCount(this.duration, this.fps);
  }

  /** Mean motion-blur samples per rendered frame so far (1 when nothing was blurred). */
  get meanSamples(): number {
    return this.#fxc.meanSamples;
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
          const info = await this.#shared(
            `probe\0${p}`,
            async (shared) => {
              const info = await probe(ff, p, { signal: shared ? undefined : signal });
              // ffprobe accepts some garbage as a still image; sharp, which decodes stills, must too.
              if (info.video?.isStillImage) await this.#imageSize(p);
              return info;
            },
            () => 4096,
          );
          this.media.set(p, info);
          return info;
        },
      },
      { signal },
    );
    await assertDepthMaps(this.timeline, (src) => this.#path(src));
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
          loading: null,
          video: null,
          videoKey: null,
          clock: null,
          morphs: {},
        });
      }
    }
    for (const entry of this.#clips.values()) {
      signal?.throwIfAborted();
      if (entry.clip.type === 'video') this.#prepareVideo(entry);
    }
    this.#fxc.grade = await createGrade(this.timeline, {
      baseDir: this.#o.baseDir,
      width: this.#dw,
      height: this.#dh,
    });
    if (this.#quality.morph) await this.#prepareMorphs();
  }

  async #intrinsicSize(clip: VisualClip): Promise<{ w: number; h: number }> {
    if (clip.type === 'image') return this.#imageSize(this.#path(clip.src));
    if (clip.type === 'video') {
      const v = this.media.get(this.#path(clip.src))?.video;
      if (!v)
        throw new ReelforgeError('MEDIA_UNREADABLE', `${clip.src}: no video stream`, {
          status: 422,
          retryable: false,
        });
      return { w: v.displayWidth, h: v.displayHeight };
    }
    const [, , bw, bh] = homeBox(clip, this.#dw, this.#dh);
    return { w: bw, h: bh };
  }

  /** The largest scale (output pixels per intrinsic pixel) a clip is drawn at over its life. */
  #maxScale(entry: ClipEntry): number {
    let max = 0;
    const n = 24;
    for (let i = 0; i <= n; i++) {
      const t = entry.clip.start + Math.min(i / n, 0.9999) * entry.duration;
      for (const l of clipLayers(this.timeline, entry.clip, entry.ref, t, this.#ctx))
        if (!l.morph) max = Math.max(max, linearScale(l.forward));
    }
    return max || 1;
  }

  /** Uses the shared cache when there is one; `shared` tells the loader not to tie it to this renderer. */
  #shared<T>(key: string, load: (shared: boolean) => Promise<T>, size: (v: T) => number): Promise<T> {
    const cache = this.#o.cache;
    return cache ? cache.memo(key, () => load(true), size) : load(false);
  }

  #imageSize(path: string): Promise<{ w: number; h: number }> {
    return this.#shared(
      `size\0${path}`,
      () => imageSize(path),
      () => 64,
    );
  }

  /** Starts (once) preparing a clip's picture; resolves when entry.picture is set. */
  #ensurePicture(entry: ClipEntry): Promise<void> {
    entry.loading ??= this.#preparePicture(entry).then(
      (picture) => {
        entry.picture = picture;
      },
      (e: unknown) => {
        entry.loading = null;
        throw e;
      },
    );
    return entry.loading;
  }

  /**
   * Prepares every still picture now, one after another, instead of when first needed: for a preview
   * that will jump anywhere in the timeline. Pictures come from the shared cache when it has them.
   * `shouldContinue` is asked before each picture (a preview stops when a newer timeline took over).
   */
  async preparePictures(shouldContinue: () => boolean = () => true): Promise<void> {
    for (const e of this.#clips.values()) {
      this.#o.signal?.throwIfAborted();
      if (!shouldContinue()) return;
      if (!e.video && !e.picture) await this.#ensurePicture(e);
    }
  }

  /** Image, text, gradient or colour: the picture at the largest size the clip is drawn at, adjusted. */
  async #preparePicture(entry: ClipEntry): Promise<Picture> {
    const { clip, size } = entry;
    const adjust = clip.adjust ? adjustFor(clip.adjust, this.timeline.params.grade) : null;
    const kernels = this.#kernels;
    const s = this.#maxScale(entry);
    const adjusted = (p: Picture) => {
      applyAdjust(p.image, adjust, kernels);
      return p;
    };
    const bytes = (p: Picture) => pictureBytes(p.image);
    const key = (what: string, w: number, h: number) => `${what}\0${w}x${h}\0${JSON.stringify(adjust)}`;
    if (clip.type === 'image') {
      const w = Math.max(1, Math.min(size.w, Math.round(size.w * s)));
      const h = Math.max(1, Math.min(size.h, Math.round(size.h * s)));
      const path = this.#path(clip.src);
      const picture = await this.#shared(
        key(`image\0${path}`, w, h),
        async () => adjusted(await loadImagePicture(path, w, h, kernels)),
        bytes,
      );
      if (clip.depthMap && this.timeline.params.depthOfField?.enabled) {
        this.#dof.setDepthMap(entry.ref.key, await loadDepthMap(this.#path(clip.depthMap), w, h));
      }
      return picture;
    }
    if (clip.type === 'text') {
      const what = `text\0${JSON.stringify(clip)}\0${this.#dh}\0${Math.max(1, s)}`;
      return this.#shared(
        key(what, size.w, size.h),
        async () => adjusted(renderTextPicture(clip, size.w, size.h, this.#dh, Math.max(1, s))),
        bytes,
      );
    }
    if (clip.type === 'gradient') {
      const w = even(size.w * Math.min(1, s));
      const h = even(size.h * Math.min(1, s));
      return this.#shared(
        key(`gradient\0${JSON.stringify(clip)}`, w, h),
        async () => adjusted(renderGradientPicture(clip, w, h)),
        bytes,
      );
    }
    if (clip.type === 'color') return adjusted({ image: solidYuva(parseColor(clip.color)) });
    throw new ReelforgeError('INTERNAL', `clip ${entry.ref.key}: a video has no still picture`);
  }

  /** Sets up the decoder of a video clip (it starts decoding when its first frame is asked for). */
  #prepareVideo(entry: ClipEntry): void {
    const { clip, size } = entry;
    if (clip.type !== 'video') return;
    const adjust = clip.adjust ? adjustFor(clip.adjust, this.timeline.params.grade) : null;
    const kernels = this.#kernels;
    const s = this.#maxScale(entry);
    const info = this.media.get(this.#path(clip.src))!.video!;
    const remapped = isRemapped(clip);
    // At the output's own rate and speed 1, decoding on the output grid picks the same frames from
    // wherever it starts. Otherwise frames are chosen by source time, so that a decoder started
    // mid-clip (a chunk, a single frame) shows exactly what one started at the clip's start shows.
    const onGrid = !remapped && clip.speed === 1 && info.fps !== null && Math.abs(info.fps - this.fps) < 1e-9;
    entry.clock = remapped
      ? sourceClock(clip, entry.duration, 1 / (this.fps * 16))
      : onGrid
        ? null
        : (local: number) => clip.trimStart + local * clip.speed;
    const source = {
      path: this.#path(clip.src),
      trimStart: clip.trimStart,
      speed: clip.speed,
      fps: this.fps,
      sourceFps: entry.clock ? (info.fps ?? this.fps) : undefined,
      width: even(Math.min(size.w, size.w * s)),
      height: even(Math.min(size.h, size.h * s)),
      hasAlpha: info.hasAlpha,
    };
    entry.videoKey = this.#o.cache ? JSON.stringify({ ...source, adjust }) : null;
    entry.video = new VideoSource(this.#o.ff, {
      ...source,
      log: this.#o.log,
      adjust: adjust ? (img) => applyAdjust(img, adjust, kernels) : undefined,
    });
  }

  /** Makes the in-between frames of every morph transition (ffmpeg, once; kept on disk). */
  async #prepareMorphs(): Promise<void> {
    const { ff, signal, log } = this.#o;
    const drawer = this.#fxc.drawing;
    for (const plan of planMorphs(this.timeline, this.fps, (ref) => this.#entry(ref).duration)) {
      signal?.throwIfAborted();
      const frame = async (at: number, withClip: boolean) => {
        const buf = new Uint8Array(drawer.frameBytes);
        const layers = stackUpTo(layersAt(this.timeline, at, this.#ctx), plan.ref, withClip);
        drawer.draw(buf, layers, await this.#pictures(layers));
        return buf;
      };
      const from = await frame(plan.from.at, plan.from.withClip);
      const to = await frame(plan.to.at, plan.to.withClip);
      const opts = { width: this.#dw, height: this.#dh, steps: plan.steps, signal, log };
      this.#entry(plan.ref).morphs[plan.side] = await MorphFrames.create(ff, from, to, opts);
    }
  }

  /** The layers at time t, bottom first, with their motion when motion blur is on. */
  layersAt(t: number): Layer[] {
    // Morph layers draw prepared in-betweens; without them (morphs off) the transition is a crossfade.
    const all = layersAt(this.timeline, t, this.#ctx);
    const made = all.filter((l) => !l.morph || this.#entry(l.ref).morphs[l.morph.side] !== undefined);
    let layers = cullUnderMorph(made, true);
    if (this.#fx.motionBlur > 0) {
      layers = withMotion(this.timeline, t, layers, this.#ctx, {
        fps: this.fps,
        shutter: this.#fx.motionBlur,
        maxSamples: this.#quality.motionBlurSamples,
        adaptive: this.#quality.adaptiveSamples,
      });
    }
    return layers as Layer[];
  }

  /**
   * A key that is equal for two times exactly when they produce the same picture, or null when
   * that cannot be known cheaply (a video is playing, film grain). Export re-sends the previous frame then.
   */
  signature(layers: readonly Layer[]): string | null {
    if (this.#fxc.grade?.animated) return null;
    if (layers.some((l) => this.#entry(l.ref).video)) return null;
    return JSON.stringify(layers, (k, v) => (k === 'local' ? undefined : v));
  }

  /** Fetches what this frame's layers show (video frames, morph in-betweens); returns the picture lookup. */
  async #pictures(layers: readonly Layer[]): Promise<(l: Layer) => Picture> {
    const frames = new Map<string, YuvaImage>();
    const morphs = new Map<Layer, YuvaImage>();
    for (const l of layers) {
      const e = this.#entry(l.ref);
      if (!e.video && !e.picture) await this.#ensurePicture(e);
      if (l.morph) {
        const m = e.morphs[l.morph.side];
        if (m) morphs.set(l, await m.frameAt(l.morph.progress));
      } else if (e.video && !frames.has(l.ref.key)) {
        const img = await this.#videoFrame(e, e.video, e.clock ? e.clock(l.local) : l.local);
        frames.set(l.ref.key, img);
        this.#dof.sourceChanged(l.ref.key, img);
      }
    }
    return (l) => {
      if (l.morph) return { image: morphs.get(l) ?? this.#entry(l.ref).picture!.image };
      const video = frames.get(l.ref.key);
      return this.#dof.picture(l, video ? { image: video } : this.#entry(l.ref).picture!);
    };
  }

  /**
   * A video clip's decoded frame at `at`. With a shared cache (a preview), decoded frames are kept
   * there as copies — the decoder reuses its buffer — so going back to a frame does not restart ffmpeg.
   */
  #videoFrame(e: ClipEntry, video: VideoSource, at: number): Promise<YuvaImage> {
    const cache = this.#o.cache;
    if (!cache || e.videoKey === null) return video.frameAt(at);
    return cache.memo(
      `video\0${e.videoKey}\0${at.toFixed(6)}`,
      async () => copyYuva(await video.frameAt(at)),
      pictureBytes,
    );
  }

  /**
   * Composites the frame at time t into `into`: an I420 buffer of compositor.frameBytes (or
   * alphaFrameBytes for a transparent output).
   */
  async render(t: number, into: Uint8Array, layers = this.layersAt(t)): Promise<void> {
    const picture = await this.#pictures(layers);
    this.#fxc.draw(into, layers, picture, frameAt(t, this.fps));
    this.#lookAround(t);
  }

  /**
   * Export runs forward: pictures of clips starting soon are prepared while this frame is encoded,
   * and those (and blur levels) of clips that have ended are freed. A preview that goes back simply
   * prepares them again (from its shared cache).
   */
  #lookAround(t: number): void {
    const live = (e: ClipEntry) => t < e.clip.start + e.duration;
    for (const e of this.#clips.values()) {
      if (e.video) continue;
      if (!live(e)) {
        if (e.picture && e.clip.start + e.duration < t - 1 / this.fps) {
          e.picture = null;
          e.loading = null;
        }
      } else if (!e.picture && !e.loading && e.clip.start <= t + PREPARE_AHEAD_SECONDS) {
        // A failure here surfaces when the frame that needs the picture asks for it again.
        this.#ensurePicture(e).catch(() => undefined);
      }
    }
    this.#dof.release((key) => {
      const e = this.#clips.get(key);
      return e !== undefined && live(e);
    });
  }

  /** The frame at index i of the output (time i / fps). */
  async renderFrame(i: number, into: Uint8Array): Promise<void> {
    return this.render(frameTime(i, this.fps), into);
  }

  /** Stops video decoders and deletes morph frames (idempotent). */
  async close(): Promise<void> {
    await Promise.all(
      [...this.#clips.values()].flatMap((e) => [
        e.video?.close(),
        e.morphs.in?.close(),
        e.morphs.out?.close(),
      ]),
    );
  }
}
