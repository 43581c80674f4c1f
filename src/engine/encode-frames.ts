import { getPriority, setPriority } from 'node:os';
import type { Logger } from '../log.js';
import { type Ffmpeg, type FfmpegProcess, spawnFfmpeg } from '../media/index.js';
import type { EncoderSettings } from '../timeline/profiles.js';
import { buildVideoFileArgs } from './encode.js';
import type { VideoEncoder } from './encoders.js';
import { type FrameRange, pumpFrames } from './frame-pump.js';
import {
  gifArgs,
  gifOnePass,
  gifPaletteArgs,
  gifWithPaletteArgs,
  hlsArgs,
  imageSequenceArgs,
  type RawInput,
} from './output-args.js';
import type { Renderer } from './renderer.js';

/** Where composited frames go: one of the frame-carrying output kinds, fully resolved. */
export type FrameSink =
  | {
      kind: 'video';
      muxer: string;
      video: VideoEncoder;
      settings: EncoderSettings;
      audio: { path: string; encoder: string } | null;
      outPath: string;
      faststart: boolean;
    }
  | { kind: 'images'; extension: string; settings: EncoderSettings; pattern: string }
  | {
      kind: 'hls';
      video: VideoEncoder;
      settings: EncoderSettings;
      audio: { path: string; encoder: string };
      folder: string;
    }
  | { kind: 'gif'; settings: EncoderSettings; outPath: string; palettePath: string };

/** Options of encodeFrames. */
export interface EncodeFramesOptions {
  alpha: boolean;
  signal?: AbortSignal | undefined;
  log?: Logger | undefined;
  onFrame?: ((index: number, frame: Uint8Array) => void) | undefined;
  /** Frames handed to the encoder so far, over all passes (see framePasses). */
  onSent?: ((sent: number) => void) | undefined;
  /**
   * Composite at a lower CPU priority than the encoder, so that drawing uses the cycles x264 leaves
   * idle instead of taking cycles from it. Only for processes that do nothing else (the CLI, chunk
   * workers): on Linux it applies to the calling thread, which serves everything else in the process.
   */
  yieldToEncoder?: boolean | undefined;
}

/** Background niceness for compositing while an encoder runs. */
const YIELD_NICE = 10;

/**
 * Lowers the calling thread's priority (after the encoder has been spawned, so that it keeps the
 * normal priority) and returns how to restore it. Restoring needs privileges a normal user lacks;
 * then the thread simply stays lower, which is harmless for a process dedicated to rendering.
 */
function yieldCpu(): () => void {
  let before: number;
  try {
    before = getPriority(0);
    if (before >= YIELD_NICE) return () => undefined;
    setPriority(0, YIELD_NICE);
  } catch {
    return () => undefined;
  }
  return () => {
    try {
      setPriority(0, before);
    } catch {
      // EACCES without privileges: stay at the lower priority.
    }
  };
}

/** How many times each frame is rendered: twice for a GIF too long to hold for its palette. */
export function framePasses(sink: FrameSink, range: FrameRange, width: number, height: number): number {
  return sink.kind === 'gif' && !gifOnePass(range.count, width, height) ? 2 : 1;
}

/** The encoder commands of a sink, one per pass. */
export function sinkCommands(
  sink: FrameSink,
  input: RawInput,
  range: FrameRange,
  passes: number,
): string[][] {
  switch (sink.kind) {
    case 'video':
      return [buildVideoFileArgs({ ...input, ...sink })];
    case 'images':
      return [imageSequenceArgs(input, { ...sink, firstFrame: range.first })];
    case 'hls':
      return [hlsArgs(input, sink)];
    case 'gif':
      return passes === 1
        ? [gifArgs(input, sink.settings, sink.outPath)]
        : [
            gifPaletteArgs(input, sink.palettePath),
            gifWithPaletteArgs(input, sink.settings, sink.palettePath, sink.outPath),
          ];
  }
}

/**
 * Renders a range of frames into a sink: one encoder per pass, frames streamed with back-pressure.
 * On failure or cancellation the encoder is stopped; removing its output is the caller's job.
 */
export async function encodeFrames(
  ff: Ffmpeg,
  renderer: Renderer,
  range: FrameRange,
  sink: FrameSink,
  opts: EncodeFramesOptions,
): Promise<{ reused: number }> {
  const input = { width: renderer.width, height: renderer.height, fps: renderer.fps, alpha: opts.alpha };
  const passes = framePasses(sink, range, input.width, input.height);
  let reused = 0;
  let pass = 0;
  for (const args of sinkCommands(sink, input, range, passes)) {
    const done = pass * range.count;
    let enc: FfmpegProcess | null = null;
    let restorePriority: (() => void) | null = null;
    try {
      enc = spawnFfmpeg(ff, args, { stdin: true, signal: opts.signal, log: opts.log });
      restorePriority = opts.yieldToEncoder ? yieldCpu() : null;
      const r = await pumpFrames(renderer, range, enc, {
        alpha: opts.alpha,
        signal: opts.signal,
        onFrame: pass === passes - 1 ? opts.onFrame : undefined,
        onSent: opts.onSent && ((n) => opts.onSent?.(done + n)),
      });
      reused += r.reused;
    } finally {
      restorePriority?.();
      restorePriority = null;
      if (enc && enc.status === 'running') await enc.kill(1000);
    }
    pass++;
  }
  return { reused };
}
