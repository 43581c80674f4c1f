import { basename } from 'node:path';
import { performance } from 'node:perf_hooks';
import { isReelforgeError } from '../errors.js';
import { runFfmpeg } from '../media/index.js';
import type { Timeline } from '../timeline/schema.js';
import { frameTime } from '../timeline/time.js';
import { planAudio, renderAudioMix, toAudioSourceInfo } from './audio/index.js';
import { renderChunked } from './chunked/render-chunked.js';
import { encodeFrames, type FrameSink, framePasses } from './encode-frames.js';
import { EncoderCatalog, type OutputEncoding } from './encoder-catalog.js';
import { formats } from './formats.js';
import { cancelled } from './frame-pump.js';
import { audioOnlyArgs, imagePattern } from './output-args.js';
import { OutputTarget } from './output-target.js';
import {
  frameRange,
  progressReporter,
  type RenderResult,
  type RenderVideoOptions,
  renderResult,
} from './render-options.js';
import { Renderer } from './renderer.js';
import { probeTimelineMedia } from './timeline-media.js';

export type { RenderProgress, RenderResult, RenderVideoOptions } from './render-options.js';

/** Where frames go for a single-process render of a frame-carrying format. */
function frameSink(
  timeline: Timeline,
  enc: OutputEncoding,
  target: OutputTarget,
  audioPath: string | null,
): FrameSink {
  const info = formats[timeline.output.format];
  const audio = audioPath && enc.audio ? { path: audioPath, encoder: enc.audio } : null;
  const { settings } = enc;
  if (info.kind === 'images')
    return {
      kind: 'images',
      extension: info.extension,
      settings,
      pattern: imagePattern(target.temp, basename(target.path), info.extension),
    };
  if (info.kind === 'gif')
    return { kind: 'gif', settings, outPath: target.temp, palettePath: target.scratch('palette.png') };
  if (info.kind === 'hls')
    return { kind: 'hls', video: enc.video!, settings, audio: audio!, folder: target.temp };
  return {
    kind: 'video',
    muxer: info.muxer,
    video: enc.video!,
    settings,
    audio,
    outPath: target.temp,
    faststart: true,
  };
}

/**
 * Renders a timeline to its output format: a video file (H.264, H.265, VP9 with or without alpha,
 * AV1), a GIF, a PNG or JPEG sequence, HLS, or sound only. Media are checked and decoded once, the
 * sound mixed once by ffmpeg, frames composited into a small ring of reused buffers and streamed into
 * one encoder with back-pressure. With `chunks` > 1 the frames are rendered in separate processes and
 * joined (see renderChunked). The output is written under a temporary name and renamed when complete;
 * on failure or cancellation nothing is left at `outPath` and no ffmpeg keeps running.
 */
export async function renderVideo(timeline: Timeline, options: RenderVideoOptions): Promise<RenderResult> {
  if ((options.chunks ?? 1) > 1) return renderChunked(timeline, options);
  const t0 = performance.now();
  const { signal } = options;
  const info = formats[timeline.output.format];
  const target = await OutputTarget.open(options.outPath, {
    folder: info.folder,
    overwrite: options.overwrite !== false,
  });
  const renderer = new Renderer(timeline, options);
  const timings = { prepare: 0, audio: 0, video: 0, finalize: 0, total: 0 };
  const report = progressReporter(options.onProgress);
  const catalog = options.encoders ?? new EncoderCatalog(options.ff);
  try {
    report({ stage: 'prepare', frame: 0, totalFrames: 0, fps: 0, etaSec: null }, 0);
    const pictures = info.kind !== 'audio';
    // Sound only needs the media probed, not the pictures decoded.
    if (pictures) await renderer.prepare();
    const media = pictures
      ? { duration: renderer.duration, media: renderer.media, resolve: (s: string) => renderer.resolve(s) }
      : await probeTimelineMedia(timeline, options);
    signal?.throwIfAborted();
    const fps = renderer.fps;
    const range = frameRange(media.duration, fps, options.from, options.to);
    const size = { width: renderer.width, height: renderer.height };
    const enc = await catalog.forOutput(timeline.output, size, options.profile ?? timeline.output.profile);
    const t1 = performance.now();
    timings.prepare = t1 - t0;

    let audioPath: string | null = null;
    if (enc.audio) {
      report({ stage: 'audio', frame: 0, totalFrames: range.count, fps: 0, etaSec: null }, 0.02);
      const plan = planAudio(
        timeline,
        { resolvePath: media.resolve, mediaInfo: (p) => toAudioSourceInfo(media.media.get(p)!) },
        { from: frameTime(range.first, fps), to: frameTime(range.first + range.count, fps) },
      );
      // WAV output is the mix itself.
      audioPath = timeline.output.format === 'wav' ? target.temp : target.scratch('audio.wav');
      await renderAudioMix(options.ff, plan, { outPath: audioPath, signal, log: options.log });
    }
    const t2 = performance.now();
    timings.audio = t2 - t1;

    let reused = 0;
    if (info.kind === 'audio' && timeline.output.format !== 'wav') {
      await runFfmpeg(
        options.ff,
        audioOnlyArgs({
          audioPath: audioPath!,
          encoder: enc.audio!,
          muxer: info.muxer,
          settings: enc.settings,
          outPath: target.temp,
        }),
        { signal, log: options.log },
      );
    } else if (pictures) {
      const sink = frameSink(timeline, enc, target, audioPath);
      const total = range.count * framePasses(sink, range, size.width, size.height);
      const videoStart = performance.now();
      const r = await encodeFrames(options.ff, renderer, range, sink, {
        alpha: timeline.output.alpha,
        signal,
        log: options.log,
        onFrame: options.onFrame,
        yieldToEncoder: options.yieldToEncoder,
        onSent: (sent) => {
          if (!options.onProgress || (sent % 10 !== 0 && sent !== total)) return;
          const elapsed = (performance.now() - videoStart) / 1000;
          const rate = elapsed > 0 ? sent / elapsed : 0;
          const frame = Math.round((sent * range.count) / total);
          const etaSec = rate > 0 ? (total - sent) / rate : null;
          report(
            { stage: 'video', frame, totalFrames: range.count, fps: rate, etaSec },
            0.05 + 0.93 * (sent / total),
          );
        },
      });
      reused = r.reused;
    }
    const t3 = performance.now();
    timings.video = t3 - t2;

    report({ stage: 'finalize', frame: range.count, totalFrames: range.count, fps: 0, etaSec: 0 }, 0.99);
    const published = await target.publish();
    timings.finalize = performance.now() - t3;
    timings.total = performance.now() - t0;
    report({ stage: 'finalize', frame: range.count, totalFrames: range.count, fps: 0, etaSec: 0 }, 1);
    return renderResult({
      outPath: target.path,
      format: timeline.output.format,
      size,
      fps,
      frames: range.count,
      published,
      enc,
      pictures,
      chunks: 1,
      kernels: renderer.compositor.kernels,
      reusedFrames: reused,
      timings,
    });
  } catch (e) {
    if (signal?.aborted && !(isReelforgeError(e) && e.code === 'RENDER_CANCELLED')) throw cancelled(signal);
    throw e;
  } finally {
    await renderer.close();
    await target.close();
  }
}
