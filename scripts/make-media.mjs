#!/usr/bin/env node
// Generates Reelforge's example and benchmark media with ffmpeg's built-in sources (no downloads,
// no licences to track): photo-like stills (fractals, gradients, cellular patterns with sensor-like
// noise) and a music bed (a chord progression of sine tones with a slow fade).
//   node scripts/make-media.mjs <folder> [--photos N] [--width W] [--height H] [--music SECONDS]
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const args = process.argv.slice(2);
const dir = args[0];
if (!dir) {
  console.error('usage: make-media.mjs <folder> [--photos N] [--width W] [--height H] [--music SECONDS]');
  process.exit(2);
}
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const n = opt('photos', 6);
const w = opt('width', 1600);
const h = opt('height', 900);
const musicSeconds = opt('music', 20);
mkdirSync(dir, { recursive: true });

const size = `${w}x${h}`;
const sources = [
  `mandelbrot=s=${size}:start_x=-0.743643887037151:start_y=0.131825904205330:start_scale=0.02:end_pts=1:inner=mincol`,
  `gradients=s=${size}:c0=0x1e3c72:c1=0xf7b733:c2=0x2a5298:c3=0xfc4a1a:x0=0:y0=0:x1=${w}:y1=${h}:nb_colors=4:seed=7`,
  `mandelbrot=s=${size}:start_x=-0.16:start_y=1.0405:start_scale=0.03:end_pts=1:inner=period`,
  `color=c=black:s=${size},format=rgb24,geq=r='128+90*sin(X/97+Y/151)':g='120+80*sin(X/71-Y/113)':b='140+90*cos((X+Y)/181)'`,
  `gradients=s=${size}:c0=0x0f2027:c1=0x2c5364:c2=0x83a4d4:c3=0xb6fbff:x0=${w}:y0=0:x1=0:y1=${h}:nb_colors=4:seed=3`,
  `mandelbrot=s=${size}:start_x=0.275:start_y=0.0:start_scale=0.05:end_pts=1:outer=normalized_iteration_count`,
  `life=s=${size}:mold=10:r=25:ratio=0.1:death_color=#1b4332:life_color=#95d5b2:seed=5`,
  `testsrc2=s=${size}`,
];
for (let i = 0; i < n; i++) {
  const src = sources[i % sources.length];
  // A soft blur and grain make the pictures behave like photographs for the encoder.
  const vf = `format=rgb24,gblur=sigma=${1 + (i % 3)},noise=alls=${6 + (i % 4)}:allf=u,eq=saturation=${1 + (i % 3) * 0.1}`;
  const out = join(dir, `photo-${String(i + 1).padStart(2, '0')}.jpg`);
  execFileSync('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    src,
    '-vf',
    vf,
    '-frames:v',
    '1',
    '-q:v',
    '4',
    out,
  ]);
}

if (musicSeconds > 0) {
  // I–V–vi–IV in C major, two seconds a chord, with a gentle tremolo.
  const chords = [
    [261.63, 329.63, 392.0],
    [196.0, 246.94, 392.0],
    [220.0, 261.63, 329.63],
    [174.61, 220.0, 349.23],
  ];
  const expr = chords
    .map((c, k) => {
      const tones = c.map((f) => `sin(2*PI*${f}*t)`).join('+');
      return `(between(mod(t,8),${k * 2},${k * 2 + 2})*(${tones}))`;
    })
    .join('+');
  const out = join(dir, 'music.m4a');
  execFileSync('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `aevalsrc='0.12*(${expr})*(0.8+0.2*sin(2*PI*0.5*t))':s=44100:d=${musicSeconds}`,
    '-af',
    `afade=t=in:d=1,afade=t=out:st=${musicSeconds - 2}:d=2`,
    '-ac',
    '2',
    '-c:a',
    'aac',
    '-b:a',
    '96k',
    out,
  ]);
}
console.log(`media written to ${dir}`);
