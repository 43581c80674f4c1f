/**
 * Effects benchmark (`npm run bench:render`, after the plain render benchmark): a 1080p30 timeline of
 * photos with camera moves and crossfades under sliding titles, with motion blur (180° shutter, 8
 * samples), depth of field with a rack focus, a look and a 3D LUT; H.264 preset medium, CRF 23. Like
 * bench/render.bench.ts it reports the export's time against the encoder-only floor measured in the same
 * run (ffmpeg encoding a decoded copy of our output with the same settings), once with exactly 8 samples
 * for every moving frame and once with adaptive samples (as many as the motion needs, at most 8). It
 * also measures, in-process without an encoder, the cost of one motion-blur sample per frame.
 *   --runs N (default 3)   --seconds S (default 10)   --photos N (default 4)   --frames N (default 60)
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Renderer, rawVideoInputArgs, renderVideo, videoCodecArgs } from '../src/engine/index.js';
import { findFfmpeg, probe, runFfmpeg } from '../src/media/index.js';
import { encoderSettings, parseTimeline, type Timeline, type TimelineInput } from '../src/timeline/index.js';
import { machine, median, numberOption, printTable, sampleRss, spreadPct } from './lib/report.js';

const opt = numberOption;
const runs = opt('runs', 3);
const seconds = opt('seconds', 10);
const photos = opt('photos', 4);
const sampleFrames = opt('frames', 60);
const work = join(import.meta.dirname, '.work', 'render-effects');
// The plain render benchmark's photos (3000×2000) serve here too.
const media = join(import.meta.dirname, '.work', 'render', 'media');
mkdirSync(work, { recursive: true });

if (!existsSync(join(media, `photo-${String(photos).padStart(2, '0')}.jpg`))) {
  console.log(`generating ${photos} photos at 3000×2000 …`);
  execFileSync(
    'node',
    [
      join(import.meta.dirname, '..', 'scripts', 'make-media.mjs'),
      ...[media, '--photos', String(Math.max(photos, 12)), '--width', '3000', '--height', '2000'],
      ...['--music', String(Math.max(seconds, 31) + 2)],
    ],
    { stdio: 'inherit' },
  );
}

/** A 17-point warm LUT: red lifted, blue lowered, a gentle S-curve. */
function writeCube(path: string): void {
  const n = 17;
  const lines = ['TITLE "bench warm"', `LUT_3D_SIZE ${n}`];
  const s = (v: number) => v + 0.08 * Math.sin(2 * Math.PI * v) * -0.5;
  for (let b = 0; b < n; b++)
    for (let g = 0; g < n; g++)
      for (let r = 0; r < n; r++) {
        const [R, G, B] = [r / (n - 1), g / (n - 1), b / (n - 1)];
        const c = (v: number) => Math.min(1, Math.max(0, v)).toFixed(5);
        lines.push(`${c(s(R) * 1.05 + 0.01)} ${c(s(G))} ${c(s(B) * 0.92)}`);
      }
  writeFileSync(path, `${lines.join('\n')}\n`);
}
writeCube(join(work, 'warm.cube'));

function effectsTimeline(): TimelineInput {
  const overlap = 1;
  const each = (seconds + (photos - 1) * overlap) / photos;
  const clips = Array.from({ length: photos }, (_, i) => ({
    type: 'image' as const,
    src: join(media, `photo-${String(i + 1).padStart(2, '0')}.jpg`),
    start: i * (each - overlap),
    duration: each,
    camera: {
      from: { zoom: i % 2 ? 1.3 : 1, x: 0.4 + 0.05 * (i % 3), y: 0.5 },
      to: { zoom: i % 2 ? 1 : 1.3, x: 0.6 - 0.05 * (i % 3), y: 0.45 },
      easing: 'ease-in-out' as const,
    },
    ...(i > 0 ? { transitionIn: { type: 'crossfade' as const, duration: overlap } } : {}),
  }));
  // Titles slide in fast (about 100 pixels a frame at first): the shutter has plenty to smear.
  const slide = (from: number) => [
    { t: 0, value: from, easing: 'ease-out' as const },
    { t: 0.8, value: 0.5 },
  ];
  return {
    output: { width: 1920, height: 1080, fps: 30, duration: seconds, preset: 'medium', crf: 23 },
    params: {
      motionBlur: 0.5,
      // Titles (near) in focus, then a rack focus to the photos (far) in the second half.
      depthOfField: {
        focus: [
          { t: 0, value: 0 },
          { t: seconds * 0.5, value: 0, easing: 'ease-in-out' },
          { t: seconds * 0.7, value: 1 },
        ],
        strength: 0.6,
      },
      look: 'teal-orange',
    },
    grade: { lut: { src: 'warm.cube', strength: 0.8 } },
    tracks: [
      { id: 'photos', clips },
      {
        id: 'titles',
        clips: [
          {
            type: 'text',
            text: 'Reelforge effects benchmark',
            start: 0.5,
            duration: 4,
            font: { size: 96, weight: 'bold' },
            shadow: {},
            transform: { x: slide(-0.5) },
            fadeOut: 0.5,
          },
          {
            type: 'text',
            text: 'motion blur · depth of field · look · LUT',
            start: seconds * 0.55,
            duration: seconds * 0.4,
            font: { size: 54 },
            box: { x: 0.05, y: 0.75, width: 0.9, height: 0.15 },
            background: {},
            transform: { x: slide(1.5) },
          },
        ],
      },
      { id: 'music', clips: [{ type: 'audio', src: join(media, 'music.m4a'), start: 0, fadeOut: 2 }] },
    ],
  } as TimelineInput;
}

const ff = await findFfmpeg({});
const timeline = parseTimeline(effectsTimeline());
const settings = encoderSettings(timeline.output);
const out = join(work, 'reelforge.mp4');
const decoded = join(work, 'decoded.yuv');
const floorOut = join(work, 'floor.mp4');
const fixed = { motionBlurSamples: 8, adaptiveSamples: false } as const;
const adaptive = { motionBlurSamples: 8, adaptiveSamples: true } as const;

interface Run {
  ms: number;
  videoMs: number;
  peakRss: number;
  frames: number;
  kernels: string;
}

async function exportOnce(quality: typeof fixed | typeof adaptive): Promise<Run> {
  const stop = sampleRss();
  const t0 = performance.now();
  const r = await renderVideo(timeline, { ff, baseDir: work, outPath: out, quality });
  return {
    ms: performance.now() - t0,
    videoMs: r.timings.video,
    peakRss: stop(),
    frames: r.frames,
    kernels: r.kernels,
  };
}

async function floorOnce(): Promise<number> {
  const f0 = performance.now();
  await runFfmpeg(ff, [
    ...rawVideoInputArgs({ width: 1920, height: 1080, fps: 30 }, decoded),
    ...videoCodecArgs({ settings }),
    ...['-movflags', '+faststart', '-an', '-y', floorOut],
  ]);
  return performance.now() - f0;
}

const fixedRuns: Run[] = [];
const adaptiveRuns: Run[] = [];
const floor: number[] = [];
for (let run = 0; run <= runs; run++) {
  const warm = run === 0;
  const a = await exportOnce(fixed);
  if (warm) {
    rmSync(decoded, { force: true });
    await runFfmpeg(ff, ['-i', out, '-map', '0:v:0', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-y', decoded]);
  }
  const b = await exportOnce(adaptive);
  const fms = await floorOnce();
  console.log(
    `${warm ? 'warm-up' : `run ${run}`}: 8 samples ${(a.ms / 1000).toFixed(2)} s, adaptive ${(b.ms / 1000).toFixed(2)} s, floor ${(fms / 1000).toFixed(2)} s, ratios ${(a.ms / fms).toFixed(3)} / ${(b.ms / fms).toFixed(3)}`,
  );
  if (warm) continue;
  fixedRuns.push(a);
  adaptiveRuns.push(b);
  floor.push(fms);
}

/**
 * Median CPU milliseconds per frame of rendering `frames` frames in-process (no encoder) from 1.5 s:
 * CPU time of this single-threaded work, so that other load on a shared machine does not inflate it.
 */
async function perFrame(tl: Timeline, quality: object): Promise<{ ms: number; samples: number }> {
  const r = new Renderer(tl, { ff, baseDir: work, quality });
  await r.prepare();
  const buf = new Uint8Array(r.compositor.frameBytes);
  const times: number[] = [];
  try {
    for (let i = -5; i < sampleFrames; i++) {
      const t = 1.5 + Math.max(0, i) / 30;
      const c0 = process.cpuUsage();
      await r.render(t, buf);
      const c = process.cpuUsage(c0);
      if (i >= 0) times.push((c.user + c.system) / 1000);
    }
    return { ms: median(times), samples: r.meanSamples };
  } finally {
    await r.close();
  }
}

const plain = parseTimeline({ ...effectsTimeline(), params: {}, grade: undefined } as TimelineInput);
const noBlur = parseTimeline({
  ...effectsTimeline(),
  params: { ...effectsTimeline().params, motionBlur: 0 },
} as TimelineInput);
const costPlain = await perFrame(plain, fixed);
const costNoBlur = await perFrame(noBlur, fixed);
const cost1 = await perFrame(timeline, { motionBlurSamples: 1 });
const cost8 = await perFrame(timeline, fixed);
const costAdaptive = await perFrame(timeline, adaptive);
const perSample = (cost8.ms - cost1.ms) / 7;

const info = await probe(ff, out);
const ratio = (rs: Run[]) => median(rs.map((o, i) => o.ms / floor[i]!));
const frames = fixedRuns[0]!.frames;
const result = {
  machine: machine(),
  timeline: `1080p30, ${seconds} s: ${photos} photos 3000×2000 with camera moves and 1 s crossfades, two sliding titles, music; params.motionBlur 0.5 (180°), depth of field (titles near, photos far, rack focus at ${seconds * 0.5}–${seconds * 0.7} s, strength 0.6), look teal-orange, a 17-point .cube LUT at 0.8`,
  encoder: `libx264 preset ${settings.preset} crf ${settings.crf}`,
  kernels: fixedRuns[0]!.kernels,
  runs,
  frames,
  framesInFile: info.video?.frameCount ?? null,
  floorSeconds: median(floor) / 1000,
  fixed8: {
    seconds: median(fixedRuns.map((o) => o.ms)) / 1000,
    ratio: ratio(fixedRuns),
    ratioSpreadPct: spreadPct(fixedRuns.map((o, i) => o.ms / floor[i]!)),
    videoStageRatio: median(fixedRuns.map((o, i) => o.videoMs / floor[i]!)),
    peakRssMB: Math.max(...fixedRuns.map((o) => o.peakRss)) / 2 ** 20,
  },
  adaptive: {
    seconds: median(adaptiveRuns.map((o) => o.ms)) / 1000,
    ratio: ratio(adaptiveRuns),
    ratioSpreadPct: spreadPct(adaptiveRuns.map((o, i) => o.ms / floor[i]!)),
    meanSamplesPerFrame: costAdaptive.samples,
  },
  perFrameMs: {
    plain: costPlain.ms,
    effectsWithoutMotionBlur: costNoBlur.ms,
    motionBlur1Sample: cost1.ms,
    motionBlur8Samples: cost8.ms,
    motionBlurAdaptive: costAdaptive.ms,
  },
  msPerMotionBlurSample: perSample,
};
console.log();
printTable([
  ['measure', 'value'],
  ['machine', result.machine],
  ['timeline', result.timeline],
  ['encoder', result.encoder],
  ['kernels', result.kernels],
  ['frames (rendered / in file)', `${result.frames} / ${result.framesInFile}`],
  ['encoder-only floor (median)', `${result.floorSeconds.toFixed(2)} s`],
  [
    'export, 8 samples: time, ratio to floor',
    `${result.fixed8.seconds.toFixed(2)} s, ${result.fixed8.ratio.toFixed(3)} (spread ${result.fixed8.ratioSpreadPct.toFixed(1)}%, video stage ${result.fixed8.videoStageRatio.toFixed(3)})`,
  ],
  [
    'export, adaptive samples: time, ratio',
    `${result.adaptive.seconds.toFixed(2)} s, ${result.adaptive.ratio.toFixed(3)} (spread ${result.adaptive.ratioSpreadPct.toFixed(1)}%, ${result.adaptive.meanSamplesPerFrame.toFixed(2)} samples/frame)`,
  ],
  ['peak memory (RSS, 8 samples)', `${result.fixed8.peakRssMB.toFixed(0)} MB`],
  [
    'in-process CPU ms/frame: plain | effects, no blur',
    `${costPlain.ms.toFixed(1)} | ${costNoBlur.ms.toFixed(1)}`,
  ],
  [
    'in-process CPU ms/frame: blur 1 | 8 | adaptive',
    `${cost1.ms.toFixed(1)} | ${cost8.ms.toFixed(1)} | ${costAdaptive.ms.toFixed(1)}`,
  ],
  ['cost per motion-blur sample', `${perSample.toFixed(2)} ms/frame`],
]);
writeFileSync(join(work, 'result.json'), JSON.stringify(result, null, 2));
console.log(`\n${JSON.stringify(result)}`);
rmSync(decoded, { force: true });
