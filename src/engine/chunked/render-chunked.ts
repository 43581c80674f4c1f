import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { isReelforgeError, ReelforgeError } from '../../errors.js';
import { runFfmpeg } from '../../media/index.js';
import type { Timeline } from '../../timeline/schema.js';
import { frameTime } from '../../timeline/time.js';
import { planAudio, renderAudioMix, toAudioSourceInfo } from '../audio/index.js';
import { EncoderCatalog } from '../encoder-catalog.js';
import { formats } from '../formats.js';
import { cancelled, type FrameRange } from '../frame-pump.js';
import { concatList, joinArgs } from '../output-args.js';
import { OutputTarget } from '../output-target.js';
import {
  frameRange,
  progressReporter,
  type RenderResult,
  type RenderVideoOptions,
  renderResult,
} from '../render-options.js';
import { Renderer } from '../renderer.js';
import { probeTimelineMedia } from '../timeline-media.js';
import { ChunkProcess } from './chunk-process.js';
import { planChunks } from './plan-chunks.js';
import { type ChunkJob, chunkFileName } from './protocol.js';

/** Runs chunks on at most `workers` processes, each preparing the timeline once; resolves when all are written. */
async function runChunks(
  job: ChunkJob,
  plan: readonly FrameRange[],
  workers: number,
  signal: AbortSignal,
  processes: ChunkProcess[],
  onSent: (sent: number) => void,
): Promise<{ kernels: string; reused: number }> {
  const sent = plan.map(() => 0);
  const total = () => sent.reduce((a, b) => a + b, 0);
  let next = 0;
  let reused = 0;
  let kernels = '';
  const work = async () => {
    const proc = new ChunkProcess();
    processes.push(proc);
    proc.onProgress = (i, n) => {
      sent[i] = n;
      onSent(total());
    };
    kernels = await proc.start(job);
    while (next < plan.length) {
      if (signal.aborted) throw cancelled(signal);
      const i = next++;
      reused += await proc.render(i, plan[i]!);
      sent[i] = plan[i]!.count;
      onSent(total());
    }
    await proc.close();
  };
  await Promise.all(Array.from({ length: Math.min(workers, plan.length) }, work));
  return { kernels, reused };
}

/**
 * Renders a timeline as time-range chunks in separate processes (`options.chunks` of them, at most
 * `options.workers` at once) and joins them without re-encoding the video: each chunk is its own
 * encode, starting on a keyframe, and the concat demuxer copies them one after another. The sound is
 * mixed once for the whole range while the chunks render, so no boundary can click or drift. Image
 * sequences need no join: each chunk writes its own numbered files. Cancelling kills every chunk
 * process with its ffmpeg and removes all temporary files.
 */
export async function renderChunked(timeline: Timeline, options: RenderVideoOptions): Promise<RenderResult> {
  const t0 = performance.now();
  const format = timeline.output.format;
  const info = formats[format];
  if (!info.chunkable)
    throw new ReelforgeError(
      'RENDER_CHUNKS_UNSUPPORTED',
      `chunks: ${format} output renders in one process (${info.kind === 'gif' ? 'its palette spans every frame' : info.kind === 'hls' ? 'its segments are cut by one encoder' : 'it has no video'}); use one chunk, or mp4, mov, mkv, webm, png-sequence or jpeg-sequence`,
      { status: 422, retryable: false, details: { format } },
    );
  const controller = new AbortController();
  const stopAll = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', stopAll, { once: true });
  if (options.signal?.aborted) stopAll();
  const { signal } = controller;
  const processes: ChunkProcess[] = [];
  signal.addEventListener('abort', () => {
    for (const p of processes) void p.kill();
  });
  const target = await OutputTarget.open(options.outPath, {
    folder: info.folder,
    overwrite: options.overwrite !== false,
  });
  const renderer = new Renderer(timeline, options); // its size and rate only: the chunk processes prepare
  const report = progressReporter(options.onProgress);
  const timings = { prepare: 0, audio: 0, video: 0, finalize: 0, total: 0 };
  try {
    report({ stage: 'prepare', frame: 0, totalFrames: 0, fps: 0, etaSec: null }, 0);
    const media = await probeTimelineMedia(timeline, { ff: options.ff, baseDir: options.baseDir, signal });
    const fps = renderer.fps;
    const range = frameRange(media.duration, fps, options.from, options.to);
    const size = { width: renderer.width, height: renderer.height };
    const catalog = options.encoders ?? new EncoderCatalog(options.ff);
    const enc = await catalog.forOutput(timeline.output, size, options.profile ?? timeline.output.profile);
    const plan = planChunks(range, options.chunks ?? 1);
    const folder = info.kind === 'images' ? target.temp : target.scratch('chunks');
    await mkdir(folder, { recursive: true });
    const t1 = performance.now();
    timings.prepare = t1 - t0;

    const audioPath = enc.audio ? target.scratch('audio.wav') : null;
    const audio = (async () => {
      if (!audioPath) return;
      const plan = planAudio(
        timeline,
        { resolvePath: media.resolve, mediaInfo: (p) => toAudioSourceInfo(media.media.get(p)!) },
        { from: frameTime(range.first, fps), to: frameTime(range.first + range.count, fps) },
      );
      await renderAudioMix(options.ff, plan, { outPath: audioPath, signal, log: options.log });
      timings.audio = performance.now() - t1;
    })();
    const job: ChunkJob = {
      timeline,
      baseDir: options.baseDir,
      scale: options.scale,
      kernels: options.kernels?.name ?? 'native',
      ffmpeg: {
        ffmpegPath: options.ff.ffmpegPath,
        ffprobePath: options.ff.ffprobePath,
        protocols: options.ff.protocols,
      },
      alpha: timeline.output.alpha,
      folder,
      output:
        info.kind === 'images'
          ? {
              kind: 'images',
              extension: info.extension,
              settings: enc.settings,
              prefix: basename(target.path),
            }
          : {
              kind: 'video',
              muxer: info.muxer,
              extension: info.extension,
              video: enc.video!,
              settings: enc.settings,
            },
    };
    report({ stage: 'video', frame: 0, totalFrames: range.count, fps: 0, etaSec: null }, 0.03);
    const workers = Math.max(1, options.workers ?? Math.min(plan.length, availableParallelism()));
    const onSent = (sent: number) => {
      const elapsed = (performance.now() - t1) / 1000;
      const rate = elapsed > 0 ? sent / elapsed : 0;
      const etaSec = rate > 0 ? (range.count - sent) / rate : null;
      report(
        { stage: 'video', frame: sent, totalFrames: range.count, fps: rate, etaSec },
        0.05 + 0.9 * (sent / range.count),
      );
    };
    // The first failure stops the rest and is what gets reported; both are waited for, so that no
    // ffmpeg is left writing when the temporary files are removed.
    let failure: unknown = null;
    const fail = (e: unknown): never => {
      failure ??= e;
      stopAll();
      throw e;
    };
    const [video] = await Promise.allSettled([
      runChunks(job, plan, workers, signal, processes, onSent).catch(fail),
      audio.catch(fail),
    ]);
    if (failure !== null) throw failure;
    const { kernels, reused } = (video as PromiseFulfilledResult<{ kernels: string; reused: number }>).value;
    const t2 = performance.now();
    timings.video = t2 - t1;

    report({ stage: 'finalize', frame: range.count, totalFrames: range.count, fps: 0, etaSec: 0 }, 0.96);
    if (info.kind === 'video') {
      const at = (frame: number) => frameTime(frame - range.first, fps);
      const list = plan.map((c, i) => ({
        file: chunkFileName(i, info.extension),
        startSec: at(c.first),
        endSec: at(c.first + c.count),
      }));
      await writeFile(join(folder, 'list.ffconcat'), concatList(list));
      const args = joinArgs({
        listFile: 'list.ffconcat',
        muxer: info.muxer,
        codec: enc.video!.codec,
        audio: audioPath && enc.audio ? { path: audioPath, encoder: enc.audio } : null,
        settings: enc.settings,
        outPath: target.temp,
      });
      await runFfmpeg(options.ff, args, { cwd: folder, signal, log: options.log });
    }
    const published = await target.publish();
    timings.finalize = performance.now() - t2;
    timings.total = performance.now() - t0;
    report({ stage: 'finalize', frame: range.count, totalFrames: range.count, fps: 0, etaSec: 0 }, 1);
    return renderResult({
      outPath: target.path,
      format,
      size,
      fps,
      frames: range.count,
      published,
      enc,
      pictures: true,
      chunks: plan.length,
      kernels,
      reusedFrames: reused,
      timings,
    });
  } catch (e) {
    stopAll();
    if (options.signal?.aborted && !isReelforgeError(e, 'RENDER_CANCELLED')) throw cancelled(options.signal);
    throw e;
  } finally {
    options.signal?.removeEventListener('abort', stopAll);
    await Promise.all(processes.map((p) => p.kill()));
    await renderer.close();
    await target.close();
  }
}
