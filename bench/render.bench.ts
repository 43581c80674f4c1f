/**
 * Render benchmark (`npm run bench:render`): a 1080p30 slideshow of at least 30 s (large photos with
 * camera moves and crossfades, a title, music), H.264 preset medium, CRF 23. It reports our render time
 * against the encoder-only floor measured in the same run: ffmpeg encoding the same number of frames,
 * with the same settings, from a decoded copy of our output kept on disk (raw I420). A second reference
 * encodes the very frames we sent the encoder (captured during the warm-up): x264 works harder on those
 * than on the smoothed decoded copy, so this tells the compositing's cost apart from the content's.
 *   --runs N (default 3)   --seconds S (default 31)   --photos N (default 12)
 */
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { rawVideoInputArgs, renderVideo, videoCodecArgs } from '../src/engine/index.js';
import { findFfmpeg, probe, runFfmpeg } from '../src/media/index.js';
import { encoderSettings, parseTimeline } from '../src/timeline/index.js';
import { machine, measureCpu, median, numberOption, printTable, sampleRss, spreadPct } from './lib/report.js';
import { ensureSlideshowMedia, slideshowTimeline } from './lib/slideshow.js';

const opt = numberOption;
const runs = opt('runs', 3);
const photos = opt('photos', 12);
const seconds = opt('seconds', 31);
const work = join(import.meta.dirname, '.work', 'render');
const media = join(work, 'media');
mkdirSync(work, { recursive: true });

ensureSlideshowMedia(media, { seconds, photos });

const ff = await findFfmpeg({});
const timeline = parseTimeline(slideshowTimeline(media, { seconds, photos }));
const settings = encoderSettings(timeline.output);
const out = join(work, 'reelforge.mp4');
const decoded = join(work, 'decoded.yuv');
const pristine = join(work, 'pristine.yuv');
const floorOut = join(work, 'floor.mp4');

let identicalFrames = 0;
const ours: {
  ms: number;
  videoMs: number;
  peakRss: number;
  frames: number;
  kernels: string;
  cpuSelf: number;
  cpuChildren: number;
}[] = [];
const floor: number[] = [];
const pristineFloor: number[] = [];
// CPU seconds of the encoder in the two references (the render's are in `ours`).
const floorCpu: number[] = [];
const pristineCpu: number[] = [];
const encodeRaw = async (raw: string, r: { width: number; height: number; fps: number }, cpu: number[]) => {
  const f0 = performance.now();
  const { children } = await measureCpu(() =>
    runFfmpeg(ff, [
      ...rawVideoInputArgs({ width: r.width, height: r.height, fps: r.fps }, raw),
      ...videoCodecArgs({ settings }),
      '-movflags',
      '+faststart',
      '-an',
      '-y',
      floorOut,
    ]),
  );
  cpu.push(children);
  return performance.now() - f0;
};
for (let run = 0; run <= runs; run++) {
  const warm = run === 0;
  // Ours: the whole export, from timeline to finished file (prepare, audio, frames, encode, mux).
  let prev = '';
  let repeats = 0;
  const capture = warm ? openSync(pristine, 'w') : null;
  const stop = sampleRss();
  const t0 = performance.now();
  const {
    value: r,
    self: cpuSelf,
    children: cpuChildren,
  } = await measureCpu(() =>
    renderVideo(timeline, {
      ff,
      baseDir: work,
      outPath: out,
      // As `reelforge render` runs it: compositing yields to the encoder.
      yieldToEncoder: true,
      // Smoothness check on the warm-up only, so that hashing does not count against the timed runs.
      onFrame: capture
        ? (_, f) => {
            const h = createHash('sha1').update(f).digest('hex');
            if (h === prev) repeats++;
            prev = h;
            writeSync(capture, f);
          }
        : undefined,
    }),
  );
  const ms = performance.now() - t0;
  if (capture !== null) closeSync(capture);
  const peakRss = stop();
  if (warm) identicalFrames = repeats;
  if (run === 0) {
    // The decoded copy of our output: the encoder-only floor reads these very frames.
    rmSync(decoded, { force: true });
    await runFfmpeg(ff, ['-i', out, '-map', '0:v:0', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-y', decoded]);
  }
  const fms = await encodeRaw(decoded, r, floorCpu);
  const pms = await encodeRaw(pristine, r, pristineCpu);
  console.log(
    `${warm ? 'warm-up' : `run ${run}`}: reelforge ${(ms / 1000).toFixed(2)} s (video stage ${(r.timings.video / 1000).toFixed(2)} s), floor ${(fms / 1000).toFixed(2)} s, ratio ${(ms / fms).toFixed(3)}; our frames encoded alone ${(pms / 1000).toFixed(2)} s, ratio ${(ms / pms).toFixed(3)}; CPU s: ours ${cpuSelf.toFixed(1)}, render's ffmpeg ${cpuChildren.toFixed(1)}, floor ${floorCpu.at(-1)!.toFixed(1)}, our frames alone ${pristineCpu.at(-1)!.toFixed(1)}`,
  );
  if (warm) {
    floorCpu.pop();
    pristineCpu.pop();
    continue;
  }
  ours.push({
    ms,
    videoMs: r.timings.video,
    peakRss,
    frames: r.frames,
    kernels: r.kernels,
    cpuSelf,
    cpuChildren,
  });
  floor.push(fms);
  pristineFloor.push(pms);
}

const info = await probe(ff, out);
const ratios = ours.map((o, i) => o.ms / floor[i]!);
const videoRatios = ours.map((o, i) => o.videoMs / floor[i]!);
const pristineRatios = ours.map((o, i) => o.ms / pristineFloor[i]!);
const frames = ours[0]!.frames;
const result = {
  machine: machine(),
  timeline: `1080p30, ${seconds} s, ${photos} photos 3000×2000 with camera moves and 1 s crossfades, a title, music`,
  encoder: `libx264 preset ${settings.preset} crf ${settings.crf}`,
  kernels: ours[0]!.kernels,
  runs,
  frames,
  framesInFile: info.video?.frameCount ?? null,
  identicalConsecutiveFrames: identicalFrames,
  reelforgeSeconds: median(ours.map((o) => o.ms)) / 1000,
  reelforgeFps: frames / (median(ours.map((o) => o.ms)) / 1000),
  floorSeconds: median(floor) / 1000,
  floorFps: frames / (median(floor) / 1000),
  ratio: median(ratios),
  ratioSpreadPct: spreadPct(ratios),
  videoStageRatio: median(videoRatios),
  pristineFloorSeconds: median(pristineFloor) / 1000,
  ratioToPristineFloor: median(pristineRatios),
  peakRssMB: Math.max(...ours.map((o) => o.peakRss)) / 2 ** 20,
  // CPU seconds (medians): where the render's time goes, against the encoder alone.
  cpuOurs: median(ours.map((o) => o.cpuSelf)),
  cpuRenderChildren: median(ours.map((o) => o.cpuChildren)),
  cpuFloor: median(floorCpu),
  cpuPristine: median(pristineCpu),
};
console.log();
printTable([
  ['measure', 'value'],
  ['machine', result.machine],
  ['timeline', result.timeline],
  ['encoder', result.encoder],
  ['kernels', result.kernels],
  ['frames (rendered / in file)', `${result.frames} / ${result.framesInFile}`],
  ['identical consecutive frames', result.identicalConsecutiveFrames],
  [
    'reelforge render (median)',
    `${result.reelforgeSeconds.toFixed(2)} s, ${result.reelforgeFps.toFixed(1)} fps`,
  ],
  ['encoder-only floor (median)', `${result.floorSeconds.toFixed(2)} s, ${result.floorFps.toFixed(1)} fps`],
  [
    'ratio render / floor',
    `${result.ratio.toFixed(3)} (spread ${result.ratioSpreadPct.toFixed(1)}%, target ≤ 1.10)`,
  ],
  ['ratio video stage / floor', result.videoStageRatio.toFixed(3)],
  ['our exact frames encoded alone (median)', `${result.pristineFloorSeconds.toFixed(2)} s`],
  ['ratio render / that', result.ratioToPristineFloor.toFixed(3)],
  ['peak memory (RSS)', `${result.peakRssMB.toFixed(0)} MB`],
  [
    'CPU of the render: ours / ffmpeg',
    `${result.cpuOurs.toFixed(1)} s (${((1000 * result.cpuOurs) / frames).toFixed(1)} ms a frame) / ${result.cpuRenderChildren.toFixed(1)} s`,
  ],
  [
    'CPU of the floor / of our frames alone',
    `${result.cpuFloor.toFixed(1)} s / ${result.cpuPristine.toFixed(1)} s`,
  ],
]);
writeFileSync(join(work, 'result.json'), JSON.stringify(result, null, 2));
console.log(`\n${JSON.stringify(result)}`);
rmSync(decoded, { force: true });
rmSync(pristine, { force: true });
