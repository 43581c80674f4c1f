import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { arch, availableParallelism, cpus, freemem, platform, totalmem } from 'node:os';
import { dirname, resolve } from 'node:path';
import type { HardwareProfile } from '../jobs/concurrency.js';
import { findFfmpeg, listEncoders } from '../media/index.js';

/** Families of hardware video encoders as ffmpeg names them (`h264_nvenc`, `hevc_vaapi`, …). */
export const HARDWARE_ENCODER = /_(nvenc|qsv|vaapi|videotoolbox|amf|v4l2m2m|mf|omx|rkmpp|mediacodec)$/;
/** Only these codecs are tried for usability: what Reelforge encodes to. */
const PROBED_CODECS = /^(h264|hevc|av1)_/;
/** Software encoders worth naming in a report. */
const NOTABLE_SOFTWARE = [
  'libx264',
  'libx265',
  'libsvtav1',
  'libaom-av1',
  'libvpx-vp9',
  'aac',
  'libopus',
  'libmp3lame',
];

export interface HardwareEncoder {
  name: string;
  description: string;
  /** True when a one-frame test encode worked; null when not tried. */
  usable: boolean | null;
  /** Why it is not usable (the last line ffmpeg printed). */
  problem: string | null;
}

export interface HardwareReport {
  node: string;
  platform: string;
  arch: string;
  cpus: number;
  cpuModel: string;
  memoryTotalMb: number;
  memoryFreeMb: number;
  dataDir: { path: string; exists: boolean; freeMb: number | null; totalMb: number | null };
  ffmpeg: { ok: true; path: string; version: string } | { ok: false; error: string };
  softwareEncoders: string[];
  hardwareEncoders: HardwareEncoder[];
}

export interface DetectHardwareOptions {
  dataDir: string;
  ffmpegPath?: string;
  ffprobePath?: string;
  /** Try a one-frame encode with each hardware encoder (default true). */
  probeEncoders?: boolean;
  probeTimeoutMs?: number;
}

const MB = 1024 * 1024;

async function diskSpace(path: string): Promise<{ freeMb: number; totalMb: number } | null> {
  // The data folder may not exist yet: measure the nearest existing parent.
  let p = resolve(path);
  while (!existsSync(p) && dirname(p) !== p) p = dirname(p);
  try {
    const s = await statfs(p);
    return { freeMb: Math.floor((s.bavail * s.bsize) / MB), totalMb: Math.floor((s.blocks * s.bsize) / MB) };
  } catch {
    return null;
  }
}

/** ffmpeg arguments for a one-frame test encode; VAAPI and QSV need their device set up first. */
export function probeArgs(encoder: string): string[] {
  const input = ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'color=c=gray:s=256x256:d=0.1'];
  const output = ['-frames:v', '1', '-c:v', encoder, '-f', 'null', '-'];
  if (encoder.endsWith('_vaapi')) {
    return [
      '-init_hw_device',
      'vaapi=va:/dev/dri/renderD128',
      '-filter_hw_device',
      'va',
      ...input,
      '-vf',
      'format=nv12,hwupload',
      ...output,
    ];
  }
  if (encoder.endsWith('_qsv')) {
    return [
      '-init_hw_device',
      'qsv=hw',
      '-filter_hw_device',
      'hw',
      ...input,
      '-vf',
      'format=nv12,hwupload=extra_hw_frames=16',
      ...output,
    ];
  }
  return [...input, '-pix_fmt', 'yuv420p', ...output];
}

function tryEncode(ffmpegPath: string, encoder: string, timeoutMs: number): Promise<string | null> {
  return new Promise((done) => {
    execFile(
      ffmpegPath,
      probeArgs(encoder),
      { timeout: timeoutMs, killSignal: 'SIGKILL' },
      (err, _out, stderr) => {
        if (!err) return done(null);
        // The first error line names the cause ("Cannot load libcuda.so.1"); later ones are consequences.
        const first = String(stderr)
          .split('\n')
          .map((l) => l.replace(/^\[[^\]]*@ 0x[0-9a-f]+\]\s*/, '').trim())
          .find(Boolean);
        done(first?.slice(0, 200) ?? (err.killed ? `no answer within ${timeoutMs} ms` : err.message));
      },
    );
  });
}

/**
 * What this machine offers Reelforge: cores, memory, disk in the data folder, ffmpeg and its encoders,
 * with hardware encoders tried for real (a listed encoder often has no device behind it).
 */
export async function detectHardware(options: DetectHardwareOptions): Promise<HardwareReport> {
  const cpuList = cpus();
  const disk = await diskSpace(options.dataDir);
  const report: HardwareReport = {
    node: process.version,
    platform: platform(),
    arch: arch(),
    cpus: availableParallelism(),
    cpuModel: cpuList[0]?.model.trim() ?? 'unknown',
    memoryTotalMb: Math.floor(totalmem() / MB),
    memoryFreeMb: Math.floor(freemem() / MB),
    dataDir: {
      path: options.dataDir,
      exists: existsSync(options.dataDir),
      freeMb: disk?.freeMb ?? null,
      totalMb: disk?.totalMb ?? null,
    },
    ffmpeg: { ok: false, error: 'not looked for' },
    softwareEncoders: [],
    hardwareEncoders: [],
  };
  try {
    const ff = await findFfmpeg({ ffmpegPath: options.ffmpegPath, ffprobePath: options.ffprobePath });
    report.ffmpeg = { ok: true, path: ff.ffmpegPath, version: ff.version };
    const encoders = (await listEncoders(ff)).filter((e) => e.kind === 'video' || e.kind === 'audio');
    report.softwareEncoders = NOTABLE_SOFTWARE.filter((n) => encoders.some((e) => e.name === n));
    const hardware = encoders.filter((e) => HARDWARE_ENCODER.test(e.name));
    const probe = options.probeEncoders ?? true;
    report.hardwareEncoders = await Promise.all(
      hardware.map(async (e): Promise<HardwareEncoder> => {
        if (!probe || !PROBED_CODECS.test(e.name)) {
          return { name: e.name, description: e.description, usable: null, problem: null };
        }
        const problem = await tryEncode(ff.ffmpegPath, e.name, options.probeTimeoutMs ?? 10_000);
        return { name: e.name, description: e.description, usable: problem === null, problem };
      }),
    );
  } catch (e) {
    report.ffmpeg = { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
  return report;
}

/** The part of a report that job concurrency defaults are derived from. */
export function toHardwareProfile(report: HardwareReport): HardwareProfile {
  return {
    cpus: report.cpus,
    memoryTotalMb: report.memoryTotalMb,
    hardwareEncoders: report.hardwareEncoders.filter((e) => e.usable === true).map((e) => e.name),
  };
}
