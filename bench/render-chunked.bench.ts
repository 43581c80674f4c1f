/**
 * Chunked rendering benchmark (part of `npm run bench:render`): the render benchmark's 1080p30 slideshow
 * rendered in one process and as chunks in separate processes, alternating, in the same run. It reports
 * the speed-up and whether the two files hold the same pictures: frame counts, decoded frames that are
 * bit-identical, and the PSNR of the chunked output against the single-process one (the encodes differ
 * where the chunks put their keyframes), whether the sound is the same samples, and the peak memory of
 * the whole process tree (coordinator, chunk processes, ffmpeg).
 *   --runs N (default 2)   --seconds S (default 31)   --photos N (default 12)
 *   --chunks N (default 2)   --workers N (default 2)
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { planChunks } from '../src/engine/chunked/plan-chunks.js';
import { type RenderResult, renderVideo } from '../src/engine/index.js';
import { type Ffmpeg, findFfmpeg } from '../src/media/index.js';
import { parseTimeline } from '../src/timeline/index.js';
import { machine, median, numberOption, printTable, sampleRss, spreadPct } from './lib/report.js';
import { ensureSlideshowMedia, slideshowTimeline } from './lib/slideshow.js';

const opt = numberOption;
const runs = opt('runs', 2);
const photos = opt('photos', 12);
const seconds = opt('seconds', 31);
const chunks = opt('chunks', 2);
const workers = opt('workers', 2);
const work = join(import.meta.dirname, '.work', 'render');
const media = join(work, 'media');
mkdirSync(work, { recursive: true });
ensureSlideshowMedia(media, { seconds, photos });

const ff = await findFfmpeg({});
const timeline = parseTimeline(slideshowTimeline(media, { seconds, photos }));
const singleOut = join(work, 'single.mp4');
const chunkedOut = join(work, 'chunked.mp4');

/** Resident memory of this process and all its descendants (chunk processes, ffmpeg), in bytes; Linux. */
function treeRss(): number {
  const parents = new Map<number, number>();
  const rss = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parents.set(Number(name), Number(fields[1]));
      rss.set(Number(name), Number(fields[21]) * 4096);
    } catch {
      // gone meanwhile
    }
  }
  let total = 0;
  const stack = [process.pid];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    total += rss.get(pid) ?? 0;
    for (const [child, parent] of parents) if (parent === pid) stack.push(child);
  }
  return total;
}

/** Samples treeRss until stopped; returns the peak. */
function sampleTreeRss(intervalMs = 250): () => number {
  if (process.platform !== 'linux') return sampleRss(intervalMs);
  let peak = treeRss();
  const timer = setInterval(() => {
    peak = Math.max(peak, treeRss());
  }, intervalMs);
  return () => {
    clearInterval(timer);
    return peak;
  };
}

/** Runs ffmpeg and streams its stdout through `onData`; resolves with stderr. */
function ffmpegStream(ffmpeg: Ffmpeg, args: string[], onData?: (b: Buffer) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpeg.ffmpegPath, ['-hide_banner', '-nostdin', '-v', 'error', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => {
      stderr = (stderr + b.toString()).slice(-4000);
    });
    child.stdout.on('data', (b: Buffer) => onData?.(b));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(stderr) : reject(new Error(`ffmpeg ${code}: ${stderr.slice(-500)}`)),
    );
  });
}

/** SHA-1 of every decoded frame (I420) of a file's video. */
async function frameHashes(file: string, width: number, height: number): Promise<string[]> {
  const size = width * height * 1.5;
  const hashes: string[] = [];
  let pending = Buffer.alloc(0);
  await ffmpegStream(ff, ['-i', file, '-map', '0:v:0', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-'], (b) => {
    pending = Buffer.concat([pending, b]);
    while (pending.length >= size) {
      hashes.push(createHash('sha1').update(pending.subarray(0, size)).digest('hex'));
      pending = pending.subarray(size);
    }
  });
  return hashes;
}

/** SHA-1 of the decoded sound (16-bit PCM). */
async function soundHash(file: string): Promise<string> {
  const h = createHash('sha1');
  await ffmpegStream(ff, ['-i', file, '-map', '0:a:0', '-f', 's16le', '-'], (b) => h.update(b));
  return h.digest('hex');
}

/** Per-frame PSNR of `test` against `reference` over the frames that differ: mean, worst, and where. */
async function psnr(
  test: string,
  reference: string,
): Promise<{ average: number; worst: number; worstFrame: number }> {
  const log = join(work, 'psnr.log');
  await ffmpegStream(ff, [
    '-i',
    test,
    '-i',
    reference,
    '-lavfi',
    `[0:v][1:v]psnr=stats_file=${log}`,
    '-f',
    'null',
    '-',
  ]);
  const frames = readFileSync(log, 'utf8')
    .trim()
    .split('\n')
    .map((l) => Number(l.match(/psnr_avg:(\S+)/)?.[1] ?? Number.NaN)); // "inf" (identical) becomes NaN
  const differing = frames.filter((v) => Number.isFinite(v));
  const worst = Math.min(...differing);
  return {
    average: differing.reduce((a, b) => a + b, 0) / Math.max(1, differing.length),
    worst,
    worstFrame: frames.indexOf(worst),
  };
}

const render = (outPath: string, chunked: boolean, to?: number) =>
  renderVideo(timeline, { ff, baseDir: work, outPath, to, ...(chunked ? { chunks, workers } : {}) });

// Warm-up: a second of each (disk cache, JIT, the chunk entry's TypeScript compiled once).
await render(singleOut, false, 1);
await render(chunkedOut, true, 1);

const single: { ms: number; peakRss: number; r: RenderResult }[] = [];
const chunked: { ms: number; peakRss: number; r: RenderResult }[] = [];
for (let run = 1; run <= runs; run++) {
  for (const [list, isChunked, out] of [
    [single, false, singleOut],
    [chunked, true, chunkedOut],
  ] as const) {
    const stop = sampleTreeRss();
    const t0 = performance.now();
    const r = await render(out, isChunked);
    const ms = performance.now() - t0;
    list.push({ ms, peakRss: stop(), r });
  }
  const s = single.at(-1)!.ms;
  const c = chunked.at(-1)!.ms;
  console.log(
    `run ${run}: single ${(s / 1000).toFixed(2)} s, chunked (${chunks} chunks, ${workers} workers) ${(c / 1000).toFixed(2)} s, speed-up ${(s / c).toFixed(3)}`,
  );
}

const { width, height } = single[0]!.r;
const [a, b] = [await frameHashes(singleOut, width, height), await frameHashes(chunkedOut, width, height)];
const identical = a.filter((h, i) => h === b[i]).length;
const quality = await psnr(chunkedOut, singleOut);
const sameSound = (await soundHash(singleOut)) === (await soundHash(chunkedOut));
const speedups = single.map((s, i) => s.ms / chunked[i]!.ms);
const result = {
  machine: machine(),
  timeline: `1080p30, ${seconds} s, ${photos} photos 3000×2000 with camera moves and 1 s crossfades, a title, music`,
  encoder: `${single[0]!.r.videoEncoder} preset ${single[0]!.r.settings.preset} crf ${single[0]!.r.settings.crf}`,
  chunks,
  workers,
  runs,
  singleSeconds: median(single.map((s) => s.ms)) / 1000,
  chunkedSeconds: median(chunked.map((s) => s.ms)) / 1000,
  speedup: median(speedups),
  speedupSpreadPct: spreadPct(speedups),
  chunkedTimings: chunked.at(-1)!.r.timings,
  framesSingle: a.length,
  framesChunked: b.length,
  identicalDecodedFrames: identical,
  psnrDifferingFramesAverageDb: quality.average,
  psnrWorstDb: quality.worst,
  psnrWorstFrame: quality.worstFrame,
  chunkStarts: planChunks({ first: 0, count: a.length }, chunks).map((c) => c.first),
  sameSound,
  peakTreeRssMBSingle: Math.max(...single.map((s) => s.peakRss)) / 2 ** 20,
  peakTreeRssMBChunked: Math.max(...chunked.map((s) => s.peakRss)) / 2 ** 20,
};
console.log();
printTable([
  ['measure', 'value'],
  ['machine', result.machine],
  ['timeline', result.timeline],
  ['encoder', result.encoder],
  ['single process (median)', `${result.singleSeconds.toFixed(2)} s`],
  [`chunked, ${chunks} chunks on ${workers} workers (median)`, `${result.chunkedSeconds.toFixed(2)} s`],
  ['speed-up', `${result.speedup.toFixed(3)}× (spread ${result.speedupSpreadPct.toFixed(1)}%)`],
  ['frames (single / chunked)', `${result.framesSingle} / ${result.framesChunked}`],
  ['bit-identical decoded frames', `${identical} of ${a.length}`],
  [
    'PSNR chunked vs single, differing frames',
    `average ${quality.average.toFixed(2)} dB, worst ${quality.worst.toFixed(2)} dB (frame ${quality.worstFrame}; chunks start at ${result.chunkStarts.join(', ')})`,
  ],
  ['same sound samples', sameSound ? 'yes' : 'no'],
  [
    'peak RSS, all processes (single / chunked)',
    `${result.peakTreeRssMBSingle.toFixed(0)} MB / ${result.peakTreeRssMBChunked.toFixed(0)} MB`,
  ],
]);
writeFileSync(join(work, 'chunked-result.json'), JSON.stringify(result, null, 2));
console.log(`\n${JSON.stringify(result)}`);
