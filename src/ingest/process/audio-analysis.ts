import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runFfmpeg, spawnFfmpeg } from '../../media/index.js';
import type { DerivativeFile } from '../../storage/derivative-store.js';
import { type Loudness, parseEbur128Metadata } from './loudness.js';
import type { ProcessContext } from './process-context.js';
import { PeakAccumulator, renderWaveformPng, samplesPerBucketFor } from './waveform.js';

/** Mono at 8 kHz is plenty for a picture of the envelope, and 8× less to read than 48 kHz stereo. */
export const WAVEFORM_SAMPLE_RATE = 8_000;

/** More channels than this are mixed down to stereo first. */
const MAX_CHANNELS = 8;

/**
 * Peaks of the first audio stream (JSON, audiowaveform's layout) and their picture (PNG). Channels are
 * not mixed (a mix of uncorrelated channels would misstate the peaks): each bucket holds the lowest and
 * highest sample of any channel. The decoded samples stream through ffmpeg's stdout into the
 * accumulator, so memory does not grow with the length.
 */
export async function makeWaveform(
  ctx: ProcessContext,
  durationSec: number | null,
  channels: number,
): Promise<DerivativeFile[]> {
  const spb = samplesPerBucketFor(durationSec, WAVEFORM_SAMPLE_RATE);
  const perFrame = channels >= 1 && channels <= MAX_CHANNELS ? Math.floor(channels) : 2;
  // Interleaved samples: a bucket of `spb` instants holds `spb × channels` values.
  const acc = new PeakAccumulator(WAVEFORM_SAMPLE_RATE, spb * perFrame);
  const proc = spawnFfmpeg(
    ctx.ff,
    [
      ...['-i', ctx.input, '-map', '0:a:0', '-ac', String(perFrame)],
      ...['-ar', String(WAVEFORM_SAMPLE_RATE), '-f', 'f32le', 'pipe:1'],
    ],
    { signal: ctx.signal, log: ctx.log, stdout: 'pipe' },
  );
  const reading = (async () => {
    for await (const chunk of proc.stdout!) acc.push(chunk as Buffer);
  })();
  await Promise.all([proc.done, reading]);
  const peaks = { ...acc.finish(), samplesPerBucket: spb };
  const jsonPath = join(ctx.work, 'waveform.json');
  await writeFile(jsonPath, JSON.stringify(peaks));
  const pngPath = join(ctx.work, 'waveform.png');
  const size = await renderWaveformPng(peaks, pngPath);
  const meta = { buckets: peaks.length, samplesPerBucket: spb, sampleRate: WAVEFORM_SAMPLE_RATE };
  return [
    { name: 'waveform.json', kind: 'waveform', mime: 'application/json', path: jsonPath, meta },
    { name: 'waveform.png', kind: 'waveform', mime: 'image/png', path: pngPath, meta: { ...meta, ...size } },
  ];
}

/** EBU R128 loudness of the first audio stream with ffmpeg's ebur128 filter (true peak on). */
export async function measureLoudness(
  ctx: ProcessContext,
): Promise<{ loudness: Loudness; file: DerivativeFile }> {
  // A relative file name, resolved in the working folder: no path inside the filter graph to escape.
  await runFfmpeg(
    ctx.ff,
    [
      '-i',
      ctx.input,
      '-map',
      '0:a:0',
      '-af',
      'ebur128=peak=true:metadata=1,ametadata=mode=print:file=ebur128.txt',
      '-f',
      'null',
      '-',
    ],
    { signal: ctx.signal, log: ctx.log, cwd: ctx.work },
  );
  const loudness = parseEbur128Metadata(await readFile(join(ctx.work, 'ebur128.txt'), 'utf8'));
  const path = join(ctx.work, 'loudness.json');
  await writeFile(path, JSON.stringify({ standard: 'EBU R128', ...loudness }));
  return {
    loudness,
    file: { name: 'loudness.json', kind: 'loudness', mime: 'application/json', path, meta: { ...loudness } },
  };
}
