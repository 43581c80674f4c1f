import { ReelforgeError } from '../../errors.js';
import { buildAudioFilterGraph, placeSegments } from './audio-graph.js';
import type { AudioPlan } from './audio-plan.js';
import { num, wrapsAround } from './segment-filters.js';

/** Codecs the mix can be written with. */
export type AudioMixCodec = 'pcm_s16le' | 'aac';

/** How to write the mix. */
export interface AudioMixOptions {
  outPath: string;
  /** Default 48000. */
  sampleRate?: number;
  /** 1 or 2; default 2. */
  channels?: 1 | 2;
  /** Default pcm_s16le (in WAV). */
  codec?: AudioMixCodec;
  /** For aac; default 192. */
  bitrateKbps?: number;
  /** The container (`-f`); default `wav` for PCM, `mp4` for AAC. Needed when outPath has no telling extension. */
  format?: string;
  /** With no segments, write silence of the plan's length (default) rather than return null. */
  silenceWhenEmpty?: boolean;
  /** Read the filter graph from this file (`-filter_complex_script`); the caller writes it there. */
  filterScriptPath?: string;
}

/** Seconds of source read past what a segment needs: atempo looks ahead a little. */
const READ_MARGIN_SEC = 0.5;

function invalid(message: string): ReelforgeError {
  return new ReelforgeError('RENDER_FAILED', `audio mix: ${message}`, { status: 500, retryable: false });
}

function resolveOptions(o: AudioMixOptions) {
  const sampleRate = o.sampleRate ?? 48_000;
  const channels = o.channels ?? 2;
  const codec = o.codec ?? 'pcm_s16le';
  if (!Number.isInteger(sampleRate) || sampleRate < 8000 || sampleRate > 192_000) {
    throw invalid(`sampleRate: expected an integer from 8000 to 192000, got ${sampleRate}`);
  }
  if (channels !== 1 && channels !== 2) throw invalid(`channels: expected 1 or 2, got ${String(channels)}`);
  return {
    sampleRate,
    channels,
    codec,
    layout: channels === 1 ? ('mono' as const) : ('stereo' as const),
    bitrateKbps: o.bitrateKbps ?? 192,
    format: o.format ?? (codec === 'aac' ? 'mp4' : 'wav'),
    silenceWhenEmpty: o.silenceWhenEmpty ?? true,
  };
}

/**
 * `-i` for each heard segment: one input each, so that each decoder is read only when its segment
 * needs data (one decoder shared by segments far apart would make ffmpeg buffer the distance).
 * Inputs are read up to what the segment needs; a looping one is read whole, once.
 */
function inputArgs(plan: AudioPlan, sampleRate: number): string[] {
  const args: string[] = [];
  for (const { segment } of placeSegments(plan, sampleRate)) {
    if (!wrapsAround(segment)) {
      const readSec = segment.trimStart + segment.duration * segment.speed + READ_MARGIN_SEC;
      args.push('-t', num(readSec));
    }
    args.push('-i', segment.path);
  }
  return args;
}

/**
 * ffmpeg arguments that mix a plan into one audio file of exactly the plan's length, or null when
 * the plan has no segments and `silenceWhenEmpty` is false. Pure: nothing is run or written.
 */
export function buildAudioMixArgs(plan: AudioPlan, options: AudioMixOptions): string[] | null {
  const o = resolveOptions(options);
  if (!(plan.duration > 0) || !Number.isFinite(plan.duration)) {
    throw invalid(`plan.duration: expected a positive number of seconds, got ${plan.duration}`);
  }
  const inputs = inputArgs(plan, o.sampleRate);
  if (inputs.length === 0 && !o.silenceWhenEmpty) return null;
  const graph = options.filterScriptPath
    ? ['-filter_complex_script', options.filterScriptPath]
    : ['-filter_complex', buildAudioFilterGraph(plan, { sampleRate: o.sampleRate, layout: o.layout })];
  const codec = o.codec === 'aac' ? ['-c:a', 'aac', '-b:a', `${o.bitrateKbps}k`] : ['-c:a', 'pcm_s16le'];
  // The runner adds -hide_banner, -nostdin, -loglevel, -progress and the input protocol allow-list.
  return [
    ...inputs,
    ...graph,
    '-map',
    '[aout]',
    ...codec,
    '-ar',
    String(o.sampleRate),
    '-ac',
    String(o.channels),
    '-f',
    o.format,
    '-y',
    options.outPath,
  ];
}
