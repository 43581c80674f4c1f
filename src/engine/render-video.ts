import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Writable } from 'node:stream';
import { isReelforgeError, ReelforgeError } from '../errors.js';
import { type FfmpegProcess, spawnFfmpeg } from '../media/index.js';
import type { QualityProfileName } from '../timeline/profiles.js';
import { type EncoderSettings, encoderSettings } from '../timeline/profiles.js';
import type { Timeline } from '../timeline/schema.js';
import { frameAt, frameCount, frameTime } from '../timeline/time.js';
import { planAudio, renderAudioMix, toAudioSourceInfo } from './audio/index.js';
import { buildEncoderArgs } from './encode.js';
import { Renderer, type RendererOptions } from './renderer.js';

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
  outPath: string;
  /** Replace an existing file at outPath (default true). */
  overwrite?: boolean;
  profile?: QualityProfileName;
  /** Render only [from, to) seconds of the timeline. */
  from?: number;
  to?: number;
  onProgress?: (p: RenderProgress) => void;
  /** Receives every composited I420 frame before it is encoded (tests, previews). Must not keep it. */
  onFrame?: (index: number, frame: Uint8Array) => void;
}

export interface RenderResult {
  outPath: string;
  width: number;
  height: number;
  fps: number;
  frames: number;
  durationSec: number;
  bytes: number;
  settings: EncoderSettings;
  kernels: string;
  /** Frames sent again because nothing in them changed. */
  reusedFrames: number;
  /** Milliseconds per stage. */
  timings: { prepare: number; audio: number; video: number; finalize: number; total: number };
}

function cancelled(signal: AbortSignal | undefined): ReelforgeError {
  return new ReelforgeError('RENDER_CANCELLED', 'render cancelled', {
    retryable: false,
    cause: signal?.reason,
  });
}

/** Writes one buffer and resolves when the pipe has taken it (so the buffer may be reused). */
function writeFully(stdin: Writable, buf: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    stdin.write(buf, (err) => (err ? reject(err) : resolve()));
  });
}

/** Marks a promise as handled (it may be abandoned on cancellation) while awaiting it still rejects. */
function handled<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

/** Waits for a write; when the pipe broke, the encoder's own error says why. */
async function pipeTook(sent: Promise<void>, enc: FfmpegProcess): Promise<void> {
  try {
    await sent;
  } catch (e) {
    await enc.done;
    throw e;
  }
}

/**
 * Renders a timeline to a video file: media checked and decoded once, audio mixed by ffmpeg, frames
 * composited into a small ring of reused buffers and streamed into one encoder with back-pressure.
 * The file is written under a temporary name and renamed when complete; on failure or cancellation
 * nothing is left at `outPath` and no ffmpeg keeps running.
 */
export async function renderVideo(timeline: Timeline, options: RenderVideoOptions): Promise<RenderResult> {
  const t0 = performance.now();
  const { signal, onProgress } = options;
  const outPath = options.outPath;
  const dir = dirname(outPath);
  await mkdir(dir, { recursive: true });
  if (options.overwrite === false) {
    const exists = await stat(outPath).then(
      () => true,
      () => false,
    );
    if (exists)
      throw new ReelforgeError('RENDER_OUTPUT_EXISTS', `${outPath} exists; pass overwrite to replace it`, {
        status: 409,
      });
  }
  const tag = randomBytes(4).toString('hex');
  const tmpVideo = join(dir, `.${basename(outPath)}.${tag}.partial${extname(outPath) || '.mp4'}`);
  const tmpAudio = join(dir, `.${basename(outPath)}.${tag}.audio.wav`);
  const renderer = new Renderer(timeline, options);
  let encoder: FfmpegProcess | null = null;
  const timings = { prepare: 0, audio: 0, video: 0, finalize: 0, total: 0 };
  const report = (p: Omit<RenderProgress, 'fraction'>, fraction: number) => onProgress?.({ ...p, fraction });
  try {
    report({ stage: 'prepare', frame: 0, totalFrames: 0, fps: 0, etaSec: null }, 0);
    await renderer.prepare();
    signal?.throwIfAborted();
    const fps = renderer.fps;
    const from = options.from ?? 0;
    const to = Math.min(options.to ?? renderer.duration, renderer.duration);
    if (!(from >= 0) || !(to > from)) {
      throw new ReelforgeError(
        'RENDER_RANGE_INVALID',
        `range: expected 0 ≤ from < to ≤ ${renderer.duration} s, got from=${from} to=${to}`,
        {
          status: 422,
          retryable: false,
        },
      );
    }
    const first = frameAt(from, fps);
    const total = frameCount(to - from, fps);
    const t1 = performance.now();
    timings.prepare = t1 - t0;

    report({ stage: 'audio', frame: 0, totalFrames: total, fps: 0, etaSec: null }, 0.02);
    const plan = planAudio(
      timeline,
      {
        resolvePath: (src) => renderer.resolve(src),
        mediaInfo: (p) => toAudioSourceInfo(renderer.media.get(p)!),
      },
      { from: frameTime(first, fps), to: frameTime(first + total, fps) },
    );
    await renderAudioMix(options.ff, plan, { outPath: tmpAudio, signal, log: options.log });
    const t2 = performance.now();
    timings.audio = t2 - t1;

    const settings = encoderSettings({
      ...timeline.output,
      profile: options.profile ?? timeline.output.profile,
    });
    const args = buildEncoderArgs({
      width: renderer.width,
      height: renderer.height,
      fps,
      format: timeline.output.format,
      settings,
      audioPath: tmpAudio,
      outPath: tmpVideo,
    });
    const enc = spawnFfmpeg(options.ff, args, { stdin: true, signal, log: options.log });
    encoder = enc;
    enc.done.catch(() => undefined);
    const stdin = enc.stdin!;
    stdin.on('error', () => undefined);
    // A ring of frame buffers: a buffer is reused only once the pipe has taken it.
    const ring = Array.from({ length: 3 }, () => ({
      buf: Buffer.alloc(renderer.compositor.frameBytes),
      sent: Promise.resolve(),
    }));
    let prevSig: string | null = null;
    let prevSlot: (typeof ring)[number] | null = null;
    let reused = 0;
    const videoStart = performance.now();
    for (let i = 0; i < total; i++) {
      if (signal?.aborted) throw cancelled(signal);
      const t = frameTime(first + i, fps);
      const layers = renderer.layersAt(t);
      const sig = renderer.signature(layers);
      let slot = ring[i % ring.length]!;
      if (sig !== null && sig === prevSig && prevSlot) {
        slot = prevSlot;
        reused++;
      } else {
        await pipeTook(slot.sent, enc);
        await renderer.render(t, slot.buf, layers);
      }
      options.onFrame?.(i, slot.buf);
      slot.sent = handled(Promise.all([slot.sent, writeFully(stdin, slot.buf)]).then(() => undefined));
      prevSlot = slot;
      prevSig = sig;
      if (onProgress && (i % 10 === 0 || i === total - 1)) {
        const elapsed = (performance.now() - videoStart) / 1000;
        const rate = elapsed > 0 ? (i + 1) / elapsed : 0;
        report(
          {
            stage: 'video',
            frame: i + 1,
            totalFrames: total,
            fps: rate,
            etaSec: rate > 0 ? (total - i - 1) / rate : null,
          },
          0.05 + 0.93 * ((i + 1) / total),
        );
      }
    }
    for (const slot of ring) await pipeTook(slot.sent, enc);
    stdin.end();
    await once(stdin, 'finish').catch(() => undefined);
    await enc.done;
    const t3 = performance.now();
    timings.video = t3 - t2;

    report({ stage: 'finalize', frame: total, totalFrames: total, fps: 0, etaSec: 0 }, 0.99);
    await rename(tmpVideo, outPath);
    const bytes = (await stat(outPath)).size;
    timings.finalize = performance.now() - t3;
    timings.total = performance.now() - t0;
    report({ stage: 'finalize', frame: total, totalFrames: total, fps: 0, etaSec: 0 }, 1);
    return {
      outPath,
      width: renderer.width,
      height: renderer.height,
      fps,
      frames: total,
      durationSec: total / fps,
      bytes,
      settings,
      kernels: renderer.compositor.kernels,
      reusedFrames: reused,
      timings,
    };
  } catch (e) {
    if (signal?.aborted && !(isReelforgeError(e) && e.code === 'RENDER_CANCELLED')) throw cancelled(signal);
    throw e;
  } finally {
    if (encoder && encoder.status === 'running') await encoder.kill(1000);
    await renderer.close();
    await rm(tmpVideo, { force: true });
    await rm(tmpAudio, { force: true });
  }
}
