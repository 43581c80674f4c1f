import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { access, mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Tiny media made on demand with ffmpeg's lavfi sources (ffmpeg from the PATH). Each file's name is
 * derived from its parameters, so asking twice for the same thing in the same folder returns the file
 * already there; files are written under a temporary name and renamed, so parallel callers are safe.
 */

export interface TestImageOptions {
  w?: number;
  h?: number;
  /** Any ffmpeg colour: `red`, `#336699`, `0x336699@0.5` (alpha needs png). Default `gray`. */
  color?: string;
  /** `solid` fills with `color`; `testsrc2` draws ffmpeg's moving test pattern (its first frame). */
  pattern?: 'solid' | 'testsrc2';
  format?: 'png' | 'jpeg';
  /** PNG with an alpha channel (rgba). */
  alpha?: boolean;
}

export interface TestVideoOptions {
  w?: number;
  h?: number;
  fps?: number;
  seconds?: number;
  withAudio?: boolean;
  /** Clockwise display rotation, as probe() reports it (written as a display matrix). */
  rotate?: 0 | 90 | 180 | 270;
}

export interface TestAudioOptions {
  seconds?: number;
  freq?: number;
  format?: 'wav' | 'm4a';
}

function ffmpeg(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      'ffmpeg',
      ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', ...args],
      (err, _out, stderr) =>
        err ? reject(new Error(`ffmpeg fixture failed: ${stderr || err.message}`)) : resolve(),
    );
  });
}

/** Makes `dir/name` with `args` (output last) unless it exists; returns its path. */
async function memoised(dir: string, name: string, makeArgs: (out: string) => string[]): Promise<string> {
  const path = join(dir, name);
  try {
    await access(path);
    return path;
  } catch {
    // not made yet
  }
  await mkdir(dir, { recursive: true });
  const dot = name.lastIndexOf('.');
  const partial = join(
    dir,
    `${name.slice(0, dot)}.partial-${randomBytes(4).toString('hex')}${name.slice(dot)}`,
  );
  try {
    await ffmpeg(makeArgs(partial));
    await rename(partial, path);
  } finally {
    await rm(partial, { force: true });
  }
  return path;
}

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '');

/** A still image (PNG by default) of a solid colour or ffmpeg's test pattern. */
export function makeTestImage(dir: string, opts: TestImageOptions = {}): Promise<string> {
  const { w = 64, h = 36, color = 'gray', pattern = 'solid', format = 'png', alpha = false } = opts;
  if (alpha && format !== 'png') throw new Error('makeTestImage: alpha needs format png');
  const source = pattern === 'solid' ? `color=c=${color}:s=${w}x${h}` : `testsrc2=s=${w}x${h}`;
  const pixFmt = format === 'jpeg' ? 'yuvj444p' : alpha ? 'rgba' : 'rgb24';
  const what = pattern === 'solid' ? slug(color) : pattern;
  const name = `image-${w}x${h}-${what}${alpha ? '-alpha' : ''}.${format === 'jpeg' ? 'jpg' : 'png'}`;
  return memoised(dir, name, (out) => [
    ...['-f', 'lavfi', '-i', source, '-frames:v', '1', '-pix_fmt', pixFmt],
    ...(format === 'jpeg' ? ['-q:v', '3'] : []),
    ...['-update', '1', out],
  ]);
}

export interface NoiseVideoOptions {
  w?: number;
  h?: number;
  fps?: number;
  seconds?: number;
  /** The index (moov) at the front, as a streaming upload wants it; otherwise at the end. */
  faststart?: boolean;
  /** Strength of ffmpeg's temporal noise (0 for none); noise makes a few seconds weigh megabytes. */
  noise?: number;
}

/** An H.264 MP4 of testsrc2 with noise at CRF 8 and a keyframe each second: large for its length. */
export function makeNoiseVideo(dir: string, opts: NoiseVideoOptions = {}): Promise<string> {
  const { w = 320, h = 180, fps = 25, seconds = 2, faststart = true, noise = 60 } = opts;
  const name = `noise-${w}x${h}-${fps}fps-${seconds}s-n${noise}${faststart ? '-faststart' : '-moov-last'}.mp4`;
  return memoised(dir, name, (out) => [
    ...['-f', 'lavfi', '-i', `testsrc2=s=${w}x${h}:r=${fps}:d=${seconds}`],
    ...(noise > 0 ? ['-vf', `noise=alls=${noise}:allf=t`] : []),
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '8', '-g', String(fps)],
    ...(faststart ? ['-movflags', '+faststart'] : []),
    out,
  ]);
}

/** An H.264 (yuv420p) MP4 of ffmpeg's testsrc2 pattern, with a 440 Hz AAC tone if `withAudio`. */
export async function makeTestVideo(dir: string, opts: TestVideoOptions = {}): Promise<string> {
  const { w = 64, h = 36, fps = 30, seconds = 1, withAudio = false, rotate = 0 } = opts;
  if (w % 2 || h % 2) throw new Error(`makeTestVideo: yuv420p needs an even size, got ${w}x${h}`);
  const base = `video-${w}x${h}-${fps}fps-${seconds}s${withAudio ? '-audio' : ''}`;
  const plain = await memoised(dir, `${base}.mp4`, (out) => [
    ...['-f', 'lavfi', '-i', `testsrc2=s=${w}x${h}:r=${fps}:d=${seconds}`],
    ...(withAudio ? ['-f', 'lavfi', '-i', `sine=f=440:sample_rate=48000:d=${seconds}`] : []),
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-g', String(fps)],
    ...(withAudio ? ['-c:a', 'aac', '-b:a', '64k', '-shortest'] : []),
    ...['-movflags', '+faststart', out],
  ]);
  if (!rotate) return plain;
  // ffmpeg 5.1 turns a `rotate` tag into a display matrix only when stream-copying, and reads the
  // tag as counter-clockwise (av_display_rotation_set), so a clockwise turn R is written as 360 - R.
  const tag = String((360 - rotate) % 360);
  return memoised(dir, `${base}-rot${rotate}.mp4`, (out) => [
    ...['-i', plain, '-c', 'copy', '-metadata:s:v:0', `rotate=${tag}`, out],
  ]);
}

/** A mono sine tone: 16-bit WAV by default, or AAC in M4A. */
export function makeTestAudio(dir: string, opts: TestAudioOptions = {}): Promise<string> {
  const { seconds = 1, freq = 440, format = 'wav' } = opts;
  const name = `audio-${freq}hz-${seconds}s.${format}`;
  return memoised(dir, name, (out) => [
    ...['-f', 'lavfi', '-i', `sine=f=${freq}:sample_rate=48000:d=${seconds}`],
    ...(format === 'wav' ? ['-c:a', 'pcm_s16le'] : ['-c:a', 'aac', '-b:a', '64k']),
    out,
  ]);
}

/**
 * Whether a process still runs, for "no orphan ffmpeg" assertions. A zombie (exited, not yet reaped
 * by a parent that is gone) counts as gone.
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc (macOS): kill(0) succeeded
  }
}
