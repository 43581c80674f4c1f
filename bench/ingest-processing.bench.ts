/**
 * Asset processing benchmark: what each processing step costs on fixed media, and how the video
 * steps compare with the floor of decoding the same file once.
 *
 *   npm run bench:process
 *   tsx bench/ingest-processing.bench.ts --seconds 2 --height 360 --megapixels 2 --pages 2 --runs 1   (small)
 *
 * Media, made once under bench/.work/processing/media:
 * - a `--seconds` (default 30) H.264 video at `--height` (default 1080) p30 with a stereo AAC track;
 * - a JPEG photo-like image of `--megapixels` (default 24) with an EXIF orientation;
 * - a `--pages` (default 20) page PDF (hand-written, one filled rectangle a page).
 *
 * For each step (video: metadata, poster, thumbnail strip, proxy, waveform, loudness; image: variants;
 * PDF: pages), the median wall time of `--runs` (default 3) after a warm-up, with the spread. Ratios in
 * the same run: the proxy encode ÷ decoding the source once (`ffmpeg -i … -f null -`), and the whole
 * video processing ÷ the source's duration (below 1 is faster than real time). Peak RSS of this process
 * (sharp runs in it; ffmpeg and pdftoppm are children and not counted).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { makeWaveform, measureLoudness } from '../src/ingest/process/audio-analysis.js';
import { makeImageVariants } from '../src/ingest/process/image-variants.js';
import { defaultPdfOptions, renderPdfPages } from '../src/ingest/process/pdf-pages.js';
import type { ProcessContext } from '../src/ingest/process/process-context.js';
import { minimalPdf } from '../src/ingest/process/test-support/process-fixtures.js';
import { makePoster, makeProxy, makeThumbnailStrip } from '../src/ingest/process/video-derivatives.js';
import { readVideoMetadata } from '../src/ingest/process/video-metadata.js';
import { silentLogger } from '../src/log.js';
import { findFfmpeg } from '../src/media/index.js';
import { machine, median, numberOption, printTable, sampleRss, spreadPct } from './lib/report.js';

const SECONDS = numberOption('seconds', 30);
const HEIGHT = numberOption('height', 1080);
const MEGAPIXELS = numberOption('megapixels', 24);
const PAGES = numberOption('pages', 20);
const RUNS = numberOption('runs', 3);

const root = join(import.meta.dirname, '.work', 'processing');
const mediaDir = join(root, 'media');

function ffmpeg(args: string[]): void {
  execFileSync('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', ...args]);
}

async function makeMedia(): Promise<{ video: string; image: string; pdf: string }> {
  mkdirSync(mediaDir, { recursive: true });
  const width = Math.round((HEIGHT * 16) / 9 / 2) * 2;
  const video = join(mediaDir, `video-${HEIGHT}p-${SECONDS}s.mp4`);
  if (!existsSync(video)) {
    ffmpeg([
      ...['-f', 'lavfi', '-i', `testsrc2=s=${width}x${HEIGHT}:r=30:d=${SECONDS}`],
      ...['-f', 'lavfi', '-i', `sine=f=440:sample_rate=48000:d=${SECONDS}`],
      ...['-filter_complex', '[1:a]pan=stereo|c0=c0|c1=0.5*c0[a]', '-map', '0:v', '-map', '[a]'],
      ...['-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '128k'],
      ...['-movflags', '+faststart', video],
    ]);
  }
  const side = Math.round(Math.sqrt((MEGAPIXELS * 1e6 * 3) / 2));
  const image = join(mediaDir, `photo-${MEGAPIXELS}mp.jpg`);
  if (!existsSync(image)) {
    // Noise-like content (a scaled-up test pattern with grain) so the encoders have work to do.
    const [w, h] = [side, Math.round((side * 2) / 3)];
    const raw = Buffer.alloc(w * h * 3);
    for (let i = 0; i < raw.length; i++) raw[i] = (i * 2654435761) >>> 24;
    await sharp(raw, { raw: { width: w, height: h, channels: 3 } })
      .blur(3)
      .jpeg({ quality: 90 })
      .withMetadata({ orientation: 6 })
      .toFile(image);
  }
  const pdf = join(mediaDir, `doc-${PAGES}p.pdf`);
  if (!existsSync(pdf)) writeFileSync(pdf, minimalPdf(Array.from({ length: PAGES }, () => [595, 842])));
  return { video, image, pdf };
}

type Step = { name: string; run: (ctx: ProcessContext) => Promise<unknown> };

async function main(): Promise<void> {
  const ff = await findFfmpeg();
  const { video, image, pdf } = await makeMedia();
  const signal = new AbortController().signal;
  const meta = (await readVideoMetadata(ff, video, signal))!.metadata;
  const channels = meta.audio?.channels ?? 2;
  const steps: Step[] = [
    { name: 'video: decode once (floor)', run: async (c) => ffmpeg(['-i', c.input, '-f', 'null', '-']) },
    { name: 'video: metadata', run: (c) => readVideoMetadata(c.ff, c.input, signal) },
    { name: 'video: poster', run: (c) => makePoster(c, meta) },
    { name: 'video: thumbnail strip', run: (c) => makeThumbnailStrip(c, meta) },
    { name: 'video: proxy', run: (c) => makeProxy(c, meta) },
    { name: 'video: waveform', run: (c) => makeWaveform(c, meta.durationSec, channels) },
    { name: 'video: loudness', run: (c) => measureLoudness(c) },
    { name: 'image: variants (4)', run: (c) => makeImageVariants(image, c.work, signal) },
    {
      name: `pdf: ${PAGES} pages`,
      run: (c) => renderPdfPages(pdf, join(c.work, 'pages'), defaultPdfOptions, signal),
    },
  ];
  const stopRss = sampleRss();
  const results: { name: string; medianMs: number; spread: number }[] = [];
  for (const step of steps) {
    const times: number[] = [];
    for (let i = -1; i < RUNS; i++) {
      const work = join(root, 'work');
      rmSync(work, { recursive: true, force: true });
      mkdirSync(work, { recursive: true });
      const ctx: ProcessContext = { ff, input: video, work, signal, log: silentLogger() };
      const t0 = performance.now();
      await step.run(ctx);
      if (i >= 0) times.push(performance.now() - t0); // run −1 is the warm-up
    }
    results.push({ name: step.name, medianMs: median(times), spread: spreadPct(times) });
  }
  const peakRss = stopRss();
  const ms = (name: string) => results.find((r) => r.name.startsWith(name))?.medianMs ?? Number.NaN;
  const videoTotal = ['metadata', 'poster', 'thumbnail strip', 'proxy', 'waveform', 'loudness']
    .map((n) => ms(`video: ${n}`))
    .reduce((a, b) => a + b, 0);
  const ratios = {
    proxyOverDecode: ms('video: proxy') / ms('video: decode once'),
    videoProcessingOverDuration: videoTotal / 1000 / SECONDS,
  };

  console.log(`\nasset processing — ${machine()}`);
  console.log(
    `video ${meta.width}×${meta.height} ${SECONDS}s, image ${MEGAPIXELS} MP, PDF ${PAGES} pages; ${RUNS} runs after a warm-up\n`,
  );
  printTable([
    ['step', 'median ms', 'spread %'],
    ...results.map((r) => [r.name, r.medianMs.toFixed(0), r.spread.toFixed(0)]),
  ]);
  console.log(`\nproxy ÷ decode once: ${ratios.proxyOverDecode.toFixed(2)}×`);
  console.log(
    `all video steps ÷ duration: ${ratios.videoProcessingOverDuration.toFixed(3)} (below 1 = faster than real time)`,
  );
  console.log(`peak RSS of this process: ${(peakRss / 2 ** 20).toFixed(0)} MB`);
  console.log(
    JSON.stringify({
      bench: 'ingest-processing',
      machine: machine(),
      params: { seconds: SECONDS, height: HEIGHT, megapixels: MEGAPIXELS, pages: PAGES, runs: RUNS },
      steps: results,
      ratios,
      peakRssMb: Math.round(peakRss / 2 ** 20),
    }),
  );
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
