import type { AudioSegment } from './audio-plan.js';

/** The common format every segment is converted to before mixing. */
export interface MixFormat {
  sampleRate: number;
  layout: 'mono' | 'stereo';
}

/** Where a segment sits in the output, in samples (integers, so neighbours never overlap or gap). */
export interface SampleSpan {
  start: number;
  end: number;
}

/** A number as filter-graph text: plain decimal, at most 6 places, no exponent. */
export function num(x: number): string {
  const fixed = x.toFixed(6);
  return fixed.includes('.') ? fixed.replace(/0+$/, '').replace(/\.$/, '') : fixed;
}

/** The segment's span in output samples, rounded on the output's sample grid. */
export function sampleSpan(segment: AudioSegment, sampleRate: number, totalSamples: number): SampleSpan {
  const start = Math.min(totalSamples, Math.round(segment.start * sampleRate));
  const end = Math.min(totalSamples, Math.round((segment.start + segment.duration) * sampleRate));
  return { start, end: Math.max(start, end) };
}

/**
 * Tempo factors whose product is `speed`, each within [0.5, 2] where atempo keeps its quality
 * (ffmpeg 5.1 accepts up to 100, but above 2 it skips samples instead of time-stretching).
 */
export function atempoChain(speed: number): number[] {
  if (!(speed > 0) || !Number.isFinite(speed)) throw new RangeError(`speed must be positive, got ${speed}`);
  const factors: number[] = [];
  let rest = speed;
  while (rest > 2 + 1e-9) {
    factors.push(2);
    rest /= 2;
  }
  while (rest < 0.5 - 1e-9) {
    factors.push(0.5);
    rest /= 0.5;
  }
  if (Math.abs(rest - 1) > 1e-9) factors.push(rest);
  return factors;
}

const isStandardIn = (s: AudioSegment) => Math.abs(s.fadeInFrom) < 1e-6 && Math.abs(s.fadeInTo - 1) < 1e-6;
const isStandardOut = (s: AudioSegment) => Math.abs(s.fadeOutFrom - 1) < 1e-6 && Math.abs(s.fadeOutTo) < 1e-6;

/** A per-sample linear gain ramp (aeval): for fades that a range cut in the middle. */
function rampFilter(from: number, to: number, startSec: number, lengthSec: number): string {
  const sign = to >= from ? '+' : '-';
  const gain = `${num(from)}${sign}${num(Math.abs(to - from))}*min(1,max(0,(t-${num(startSec)})/${num(lengthSec)}))`;
  const before = startSec > 0 ? `if(lt(t,${num(startSec)}),1,${gain})` : gain;
  return `aeval=exprs='val(ch)*(${before})':c=same`;
}

/** afade for the usual 0→1 / 1→0 ramps (sample counts, so exact), aeval for ramps a range cut. */
function fadeFilters(segment: AudioSegment, sampleRate: number, samples: number): string[] {
  const filters: string[] = [];
  const fadeIn = Math.min(samples, Math.round(segment.fadeIn * sampleRate));
  if (fadeIn > 0) {
    filters.push(
      isStandardIn(segment)
        ? `afade=t=in:ss=0:ns=${fadeIn}`
        : rampFilter(segment.fadeInFrom, segment.fadeInTo, 0, fadeIn / sampleRate),
    );
  }
  const fadeOut = Math.min(samples, Math.round(segment.fadeOut * sampleRate));
  if (fadeOut > 0) {
    const from = samples - fadeOut;
    filters.push(
      isStandardOut(segment)
        ? `afade=t=out:ss=${from}:ns=${fadeOut}`
        : rampFilter(segment.fadeOutFrom, segment.fadeOutTo, from / sampleRate, fadeOut / sampleRate),
    );
  }
  return filters;
}

/** aloop's largest loop (INT_MAX samples, 12 h at 48 kHz); shorter sources loop at their end. */
const LOOP_MAX_SAMPLES = 2_147_483_647;

/** Whether a looping segment plays past the end of its source (otherwise it is an ordinary one). */
export function wrapsAround(segment: AudioSegment): boolean {
  if (!segment.loop) return false;
  const src = segment.sourceDuration;
  return src === null || segment.trimStart + segment.duration * segment.speed > src + 1e-6;
}

/** Timestamp gaps larger than this are filled with silence (or overlaps dropped), well under a frame. */
const HARD_COMP_SEC = 0.01;

/**
 * The filters that turn one input's audio into exactly `samples` samples of the segment, starting
 * at time 0: trim (source time), resampling that keeps the stream's timestamps (looping inputs are
 * counted by samples instead), the common format, tempo, then timestamps from the sample count, an
 * exact length, volume and fades.
 */
export function segmentFilters(segment: AudioSegment, fmt: MixFormat, samples: number): string[] {
  const sr = fmt.sampleRate;
  const filters: string[] = [];
  const trim = num(segment.trimStart);
  if (wrapsAround(segment)) {
    // aloop repeats decoded samples, so joins are seamless whatever the codec (-stream_loop replays
    // AAC priming: a 12 ms gap per loop). It holds the source in memory, hence s16. The source is
    // cut to its declared length first: ffmpeg 5.1 decodes AAC-in-MP4 with 128 samples of end padding.
    if (segment.sourceDuration !== null) filters.push(`atrim=end=${num(segment.sourceDuration)}`);
    filters.push('aformat=sample_fmts=s16', `aloop=loop=-1:size=${LOOP_MAX_SAMPLES}`, 'asetpts=N/SR/TB');
    if (segment.trimStart > 0) filters.push(`atrim=start=${trim}`, 'asetpts=N/SR/TB');
    filters.push(`aresample=${sr}`);
  } else {
    // Honour the stream's own timestamps: audio that starts after the picture (or after trimStart)
    // is preceded by silence, so a video clip's sound stays where the file puts it.
    if (segment.trimStart > 0) filters.push(`atrim=start=${trim}`, `asetpts=PTS-${trim}/TB`);
    filters.push(`aresample=${sr}:first_pts=0:min_hard_comp=${HARD_COMP_SEC}`);
  }
  filters.push(`aformat=sample_fmts=fltp:sample_rates=${sr}:channel_layouts=${fmt.layout}`);
  for (const factor of atempoChain(segment.speed)) filters.push(`atempo=${num(factor)}`);
  filters.push('asetpts=N/SR/TB', `atrim=end_sample=${samples}`, `apad=whole_len=${samples}`);
  if (Math.abs(segment.volume - 1) > 1e-9) filters.push(`volume=${num(segment.volume)}`);
  filters.push(...fadeFilters(segment, sr, samples));
  return filters;
}

/**
 * Sidechain compression that lowers the main input to about `level` while the key sounds: the
 * compressor itself pushes the wet signal down by 60 dB or more (threshold at its floor, ratio 20,
 * key boosted), and `mix` keeps `level` of the dry signal. Silence in the key leaves the gain at 1.
 */
export function duckFilter(duck: { level: number; attack: number; release: number }): string {
  const attackMs = Math.min(2000, Math.max(0.01, duck.attack * 1000));
  const releaseMs = Math.min(9000, Math.max(0.01, duck.release * 1000));
  return (
    'sidechaincompress=threshold=0.000976563:ratio=20:knee=1:level_sc=8:detection=peak' +
    `:attack=${num(attackMs)}:release=${num(releaseMs)}:mix=${num(1 - duck.level)}`
  );
}
