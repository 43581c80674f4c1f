import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { silentLogger } from '../../../log.js';
import { findFfmpeg } from '../../../media/index.js';
import type { ProcessContext } from '../process-context.js';

/** Runs ffmpeg from the PATH for a fixture; rejects with its stderr. */
export function ffmpegFixture(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      'ffmpeg',
      ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', ...args],
      (err, _o, stderr) =>
        err ? reject(new Error(`ffmpeg fixture failed: ${stderr || err.message}`)) : resolve(),
    );
  });
}

/** A processor context over `input` writing into `work`. */
export async function processContext(
  input: string,
  work: string,
  signal: AbortSignal = new AbortController().signal,
): Promise<ProcessContext> {
  return { ff: await findFfmpeg(), input, work, signal, log: silentLogger() };
}

/**
 * A 400×200 JPEG whose EXIF says "rotate 90° clockwise to display" (orientation 6), left half red and
 * right half blue as stored: displayed, it is 200×400 with red on top.
 */
export async function makeOrientedJpeg(dir: string): Promise<string> {
  const path = join(dir, 'oriented.jpg');
  const half = (r: number, b: number) => ({
    input: { create: { width: 200, height: 200, channels: 3 as const, background: { r, g: 0, b } } },
  });
  await sharp({ create: { width: 400, height: 200, channels: 3, background: 'black' } })
    .composite([
      { ...half(255, 0), left: 0, top: 0 },
      { ...half(0, 255), left: 200, top: 0 },
    ])
    .jpeg({ quality: 95 })
    .withMetadata({ orientation: 6 })
    .toFile(path);
  return path;
}

/** The sRGB colour of the P3 fixture below, before it was converted. */
export const P3_FIXTURE_SRGB = { r: 200, g: 60, b: 40 };

/** A PNG of one colour stored in Display P3 numbers with the P3 profile embedded. */
export async function makeP3Png(dir: string): Promise<string> {
  const path = join(dir, 'p3.png');
  await sharp({ create: { width: 64, height: 48, channels: 3, background: P3_FIXTURE_SRGB } })
    .withIccProfile('p3')
    .png()
    .toFile(path);
  return path;
}

/** A stereo sine of 1 kHz whose peaks are at −20 dBFS in both channels (≈ −20 LUFS), as WAV. */
export async function makeSineMinus20(dir: string, seconds = 2): Promise<string> {
  const path = join(dir, `sine-20dbfs-${seconds}s.wav`);
  await ffmpegFixture([
    ...['-f', 'lavfi', '-i', `aevalsrc=0.1*sin(2*PI*1000*t)|0.1*sin(2*PI*1000*t):s=48000:d=${seconds}`],
    ...['-c:a', 'pcm_s16le', path],
  ]);
  return path;
}

/** A 160×90 H.264 video tagged as HDR (PQ transfer, BT.2020 primaries and matrix). */
export async function makePqTaggedVideo(dir: string): Promise<string> {
  const path = join(dir, 'pq.mp4');
  await ffmpegFixture([
    ...['-f', 'lavfi', '-i', 'testsrc2=s=160x90:r=25:d=1'],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'],
    ...['-color_primaries', 'bt2020', '-color_trc', 'smpte2084', '-colorspace', 'bt2020nc', path],
  ]);
  return path;
}

/**
 * A minimal, hand-written PDF with one page per entry of `pageSizes` (points), each with a filled
 * rectangle; the cross-reference table is computed, so the file is valid, not repaired.
 */
export function minimalPdf(pageSizes: readonly [number, number][]): Buffer {
  const objects: string[] = [];
  const pageIds = pageSizes.map((_, i) => 3 + i * 2);
  objects.push('<< /Type /Catalog /Pages 2 0 R >>');
  objects.push(
    `<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(' ')}] /Count ${pageSizes.length} >>`,
  );
  for (const [i, [w, h]] of pageSizes.entries()) {
    const content = `0.2 0.4 0.8 rg 10 10 ${w - 20} ${h - 20} re f`;
    objects.push(
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${w} ${h}] /Contents ${pageIds[i]! + 1} 0 R >>`,
    );
    objects.push(`<< /Length ${content.length} >>\nstream\n${content}\nendstream`);
  }
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  for (const [i, body] of objects.entries()) {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  }
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

/** Writes the minimal PDF (an A6-ish portrait page and a landscape one) and returns its path. */
export async function makeTwoPagePdf(dir: string): Promise<string> {
  const path = join(dir, 'two-pages.pdf');
  await writeFile(
    path,
    minimalPdf([
      [300, 420],
      [420, 300],
    ]),
  );
  return path;
}
