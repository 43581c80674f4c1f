import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { isReelforgeError, ReelforgeError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { type Ffmpeg, type MediaInfo, runFfmpeg } from '../../media/index.js';
import { type AudioMixOptions, buildAudioMixArgs } from './audio-args.js';
import { buildAudioFilterGraph } from './audio-graph.js';
import type { AudioPlan, AudioSourceInfo } from './audio-plan.js';

/** Options for renderAudioMix. */
export interface RenderAudioOptions {
  /** The finished file; it appears only when complete (written beside it under a temporary name). */
  outPath: string;
  signal?: AbortSignal;
  /** Fraction done, 0 to 1. */
  onProgress?: (fraction: number) => void;
  log?: Logger;
  /** Default 48000. */
  sampleRate?: number;
  /** Default 2. */
  channels?: 1 | 2;
}

/** What renderAudioMix produced. */
export interface RenderAudioResult {
  path: string;
  /** Length of the written audio: the plan's duration on the sample grid. */
  durationSec: number;
  /** Wall-clock time the mix took. */
  ms: number;
}

/** Linux limits one argument to 128 KiB; longer graphs go through -filter_complex_script. */
const MAX_INLINE_GRAPH = 100_000;

/** What the planner needs from a probe: the audio stream's length (else the file's) and whether it has sound. */
export function toAudioSourceInfo(info: MediaInfo): AudioSourceInfo {
  return { durationSec: info.audio?.durationSec ?? info.durationSec, hasAudio: info.audio !== null };
}

function cancelled(cause: unknown): ReelforgeError {
  return new ReelforgeError('RENDER_CANCELLED', 'audio mix cancelled', { retryable: false, cause });
}

/**
 * Mixes a plan into a WAV file (PCM 16-bit, 48 kHz stereo by default) of exactly the plan's length.
 * Progress comes from ffmpeg's output time; aborting `signal` stops ffmpeg, removes the partial file
 * and rejects with RENDER_CANCELLED.
 */
export async function renderAudioMix(
  ff: Ffmpeg,
  plan: AudioPlan,
  opts: RenderAudioOptions,
): Promise<RenderAudioResult> {
  const began = performance.now();
  if (opts.signal?.aborted) throw cancelled(opts.signal.reason);
  const sampleRate = opts.sampleRate ?? 48_000;
  const channels = opts.channels ?? 2;
  const temp = join(
    dirname(opts.outPath),
    `.${basename(opts.outPath)}.${randomBytes(4).toString('hex')}.part`,
  );
  const mix: AudioMixOptions = { outPath: temp, sampleRate, channels, codec: 'pcm_s16le', format: 'wav' };
  const graph = buildAudioFilterGraph(plan, { sampleRate, layout: channels === 1 ? 'mono' : 'stereo' });
  const script = graph.length > MAX_INLINE_GRAPH ? `${temp}.filters` : undefined;
  const args = buildAudioMixArgs(plan, { ...mix, filterScriptPath: script });
  if (args === null)
    throw new ReelforgeError('INTERNAL', 'audio mix: no ffmpeg arguments were built for the plan');
  const { onProgress } = opts;
  try {
    if (script !== undefined) await writeFile(script, graph);
    await runFfmpeg(ff, args, {
      signal: opts.signal,
      log: opts.log,
      onProgress: onProgress && ((p) => onProgress(Math.min(1, Math.max(0, p.outTimeSec / plan.duration)))),
    });
    await rename(temp, opts.outPath);
  } catch (e) {
    await rm(temp, { force: true });
    if (opts.signal?.aborted) throw cancelled(e);
    throw isReelforgeError(e)
      ? e
      : new ReelforgeError('RENDER_FAILED', `audio mix failed: ${String(e)}`, { cause: e });
  } finally {
    if (script !== undefined) await rm(script, { force: true });
  }
  onProgress?.(1);
  return {
    path: opts.outPath,
    durationSec: Math.round(plan.duration * sampleRate) / sampleRate,
    ms: performance.now() - began,
  };
}
