import { ReelforgeError } from '../../errors.js';
import type { Timeline } from '../../timeline/schema.js';
import { type FrameFormat, type FrameJob, type FrameServiceOptions, QUALITIES } from './types.js';

export const FORMATS: readonly FrameFormat[] = ['jpeg', 'webp', 'png'];
/** Most thumbnails one strip may ask for. */
export const MAX_STRIP_COUNT = 200;

export interface StripOptions {
  count: number;
  width: number;
  format: FrameFormat;
  signal?: AbortSignal;
}

function invalid(message: string): ReelforgeError {
  return new ReelforgeError('PREVIEW_FRAME_INVALID', message, { status: 422, retryable: false });
}

const show = (v: unknown) => (typeof v === 'number' ? String(v) : (JSON.stringify(v) ?? String(v)));

function checkFormat(where: string, format: unknown): void {
  if (!FORMATS.includes(format as FrameFormat))
    throw invalid(`${where}.format: expected one of ${FORMATS.join(', ')}, got ${show(format)}`);
}

/**
 * Checks a frame job at the service's edge (sessions validate their messages with zod; this guards
 * every other caller): a finite time ≥ 0, a known quality and format, a timeline with an output.
 */
export function validateJob(job: FrameJob): void {
  if (typeof job.time !== 'number' || !Number.isFinite(job.time) || job.time < 0)
    throw invalid(`frame.time: expected a number of seconds ≥ 0, got ${show(job.time)}`);
  if (!QUALITIES.includes(job.quality))
    throw invalid(`frame.quality: expected one of ${QUALITIES.join(', ')}, got ${show(job.quality)}`);
  checkFormat('frame', job.format);
  if (!job.timeline?.output || !Array.isArray(job.timeline.tracks))
    throw invalid('frame.timeline: expected a validated timeline (output and tracks)');
}

/** Checks a strip request: 1…200 frames, 16 px up to the output's width. */
export function validateStrip(timeline: Timeline, opts: StripOptions): void {
  if (!timeline?.output || !Array.isArray(timeline.tracks))
    throw invalid('strip.timeline: expected a validated timeline (output and tracks)');
  if (!Number.isInteger(opts.count) || opts.count < 1 || opts.count > MAX_STRIP_COUNT)
    throw invalid(
      `strip.count: expected a whole number from 1 to ${MAX_STRIP_COUNT}, got ${show(opts.count)}`,
    );
  const max = timeline.output.width;
  if (!Number.isInteger(opts.width) || opts.width < 16 || opts.width > max)
    throw invalid(
      `strip.width: expected a whole number of pixels from 16 to ${max} (the output width), got ${show(opts.width)}`,
    );
  checkFormat('strip', opts.format);
}

/** Checks the service's options (they come from validated configuration; this guards other callers). */
export function validateOptions(o: FrameServiceOptions): void {
  const checks: Array<[string, number | undefined, number]> = [
    ['workers', o.workers, 1],
    ['cacheBytes', o.cacheBytes, 0],
    ['breaker.failureThreshold', o.breaker?.failureThreshold, 1],
    ['breaker.openMs', o.breaker?.openMs, 0],
    ['breaker.timeoutMs', o.breaker?.timeoutMs, 1],
  ];
  const problems = checks
    .filter(([, v, min]) => v !== undefined && !(Number.isInteger(v) && v >= min))
    .map(([name, v, min]) => `preview.${name}: expected a whole number ≥ ${min}, got ${show(v)}`);
  if (!o.ffmpeg?.ffmpegPath) problems.push('preview.ffmpeg: expected a located ffmpeg (findFfmpeg)');
  if (problems.length > 0)
    throw new ReelforgeError('CONFIG_INVALID', problems.join('; '), {
      status: 500,
      retryable: false,
      details: problems,
    });
}
