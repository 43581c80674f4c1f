import { ReelforgeError } from '../errors.js';
import type { EncoderSettings, QualityProfileName } from '../timeline/profiles.js';
import type { OutputFormat } from '../timeline/schema.js';
import { frameAt, frameCount } from '../timeline/time.js';
import type { EncoderCatalog, OutputEncoding } from './encoder-catalog.js';
import type { HardwareKind } from './encoders.js';
import type { FrameRange } from './frame-pump.js';
import type { RendererOptions } from './renderer.js';

/** Where an export stands. */
export interface RenderProgress {
  stage: 'prepare' | 'audio' | 'video' | 'finalize';
  frame: number;
  totalFrames: number;
  /** Frames per second over the video stage so far. */
  fps: number;
  /** Seconds left, estimated from the measured rate; null until there is a rate. */
  etaSec: number | null;
  /** 0–1 over the whole export. */
  fraction: number;
}

export interface RenderVideoOptions extends RendererOptions {
  /** The file to write; for image sequences and HLS, the folder. */
  outPath: string;
  /** Replace an existing output at outPath (default true). */
  overwrite?: boolean;
  profile?: QualityProfileName;
  /** Render only [from, to) seconds of the timeline. */
  from?: number;
  to?: number;
  onProgress?: (p: RenderProgress) => void;
  /** Receives every composited frame before it is encoded (tests, previews). Must not keep it. Single process only. */
  onFrame?: (index: number, frame: Uint8Array) => void;
  /** Render as this many time-range chunks in separate processes, joined without re-encoding (default 1). */
  chunks?: number;
  /** Chunk processes running at once (default: the number of chunks, at most the CPU count). */
  workers?: number;
  /** Encoder detection to reuse across renders; one is made per render otherwise. */
  encoders?: EncoderCatalog;
  /**
   * Composite at a lower CPU priority than the encoder (see encodeFrames): for processes that only
   * render, such as the CLI and chunk workers. Default false (a server's main thread serves requests).
   */
  yieldToEncoder?: boolean;
}

export interface RenderResult {
  /** The file or, for image sequences and HLS, the folder written. */
  outPath: string;
  format: OutputFormat;
  width: number;
  height: number;
  fps: number;
  frames: number;
  durationSec: number;
  /** Size on disk (of every file, for a folder). */
  bytes: number;
  /** Files written: 1, or the number of images or segments (and playlist) in a folder. */
  files: number;
  settings: EncoderSettings;
  /** ffmpeg's video encoder (`libx264`, `hevc_nvenc`, `gif`, `png`), or null for sound only. */
  videoEncoder: string | null;
  /** ffmpeg's audio encoder, or null for formats without sound. */
  audioEncoder: string | null;
  /** The hardware family that encoded the video, or null for software. */
  hardware: HardwareKind | null;
  /** Time-range chunks the video was rendered in (1: a single process). */
  chunks: number;
  kernels: string;
  /** Frames sent again because nothing in them changed. */
  reusedFrames: number;
  /** Milliseconds per stage. */
  timings: { prepare: number; audio: number; video: number; finalize: number; total: number };
}

/** The frames of [from, to) seconds (the whole timeline by default); RENDER_RANGE_INVALID if empty. */
export function frameRange(duration: number, fps: number, from = 0, to = duration): FrameRange {
  const end = Math.min(to, duration);
  if (!(from >= 0) || !(end > from)) {
    throw new ReelforgeError(
      'RENDER_RANGE_INVALID',
      `range: expected 0 ≤ from < to ≤ ${duration} s, got from=${from} to=${to}`,
      { status: 422, retryable: false },
    );
  }
  return { first: frameAt(from, fps), count: frameCount(end - from, fps) };
}

const pictureEncoders: Partial<Record<OutputFormat, string>> = {
  gif: 'gif',
  'png-sequence': 'png',
  'jpeg-sequence': 'mjpeg',
};

/** The ffmpeg encoder that writes a format's pictures, or null for sound only. */
export function pictureEncoderName(format: OutputFormat, enc: OutputEncoding): string | null {
  return enc.video?.name ?? pictureEncoders[format] ?? null;
}

/** Reports progress as fractions of the whole export, stage by stage. */
export function progressReporter(onProgress: ((p: RenderProgress) => void) | undefined) {
  return (p: Omit<RenderProgress, 'fraction'>, fraction: number) => onProgress?.({ ...p, fraction });
}

/** What an export reports; shared by the single-process and the chunked paths. */
export function renderResult(r: {
  outPath: string;
  format: OutputFormat;
  size: { width: number; height: number };
  fps: number;
  frames: number;
  published: { bytes: number; files: number };
  enc: OutputEncoding;
  /** False for sound-only formats. */
  pictures: boolean;
  chunks: number;
  kernels: string;
  reusedFrames: number;
  timings: RenderResult['timings'];
}): RenderResult {
  return {
    outPath: r.outPath,
    format: r.format,
    width: r.size.width,
    height: r.size.height,
    fps: r.fps,
    frames: r.frames,
    durationSec: r.frames / r.fps,
    bytes: r.published.bytes,
    files: r.published.files,
    settings: r.enc.settings,
    videoEncoder: r.pictures ? pictureEncoderName(r.format, r.enc) : null,
    audioEncoder: r.enc.audio,
    hardware: r.enc.video?.hardware ?? null,
    chunks: r.chunks,
    kernels: r.kernels,
    reusedFrames: r.reusedFrames,
    timings: r.timings,
  };
}
