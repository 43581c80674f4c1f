import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ffmpegNotFound, ffmpegTooOld, type MediaTool } from './media-errors.js';
import { DEFAULT_PROTOCOLS, protocolList } from './protocols.js';

/** The oldest ffmpeg major version Reelforge supports. */
export const MIN_FFMPEG_MAJOR = 5;

/** Key of the per-object memo that capability lookups (encoders, filters) fill lazily. */
export const capabilityMemo: unique symbol = Symbol('reelforge.ffmpeg.capabilities');

/** A located, version-checked ffmpeg/ffprobe pair and the input protocols it may open. */
export interface Ffmpeg {
  readonly ffmpegPath: string;
  readonly ffprobePath: string;
  /** The version as ffmpeg prints it, e.g. `5.1.9-0+deb12u1`. */
  readonly version: string;
  readonly major: number;
  /** Input protocols allowed by `-protocol_whitelist` (`file,pipe` by default). */
  readonly protocols: readonly string[];
  /** Memoised capability lists; present on objects made by findFfmpeg. */
  readonly [capabilityMemo]?: Map<string, Promise<unknown>>;
}

/** Where to look for ffmpeg (config `media.ffmpegPath` / `media.ffprobePath`) and what it may open. */
export interface FindFfmpegOptions {
  ffmpegPath?: string;
  ffprobePath?: string;
  protocols?: readonly string[];
}

/** Reads `ffmpeg -version` output: the version string and its major number, or null. */
export function parseVersionOutput(text: string): { version: string; major: number | null } | null {
  const m = text.match(/^\S+ version (\S+)/m);
  if (!m) return null;
  const version = m[1] as string;
  const release = version.match(/^n?(\d+)\.\d+/);
  if (release) return { version, major: Number(release[1]) };
  // Git builds ("N-112345-g…") carry no release number; libavformat's major maps onto it (59 = 5.x).
  const lavf = text.match(/^\s*libavformat\s+(\d+)\./m);
  const lavfMajor = lavf ? Number(lavf[1]) : Number.NaN;
  return { version, major: lavfMajor >= 58 ? lavfMajor - 54 : null };
}

/** Runs a binary with a short timeout and returns its stdout; used for -version/-encoders/-filters. */
export function captureOutput(path: string, args: readonly string[], timeoutMs = 15_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      path,
      [...args],
      { timeout: timeoutMs, maxBuffer: 8 * 1024 * 1024, killSignal: 'SIGKILL', windowsHide: true },
      (err, stdout) => (err ? reject(err) : resolve(stdout)),
    );
  });
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** ffprobe next to an explicit ffmpeg (same folder, same naming) if there is one, else from the PATH. */
async function defaultProbePath(ffmpegPath: string | undefined): Promise<string> {
  if (ffmpegPath === undefined || !ffmpegPath.includes('/')) return 'ffprobe';
  const sibling = join(dirname(ffmpegPath), basename(ffmpegPath).replace('ffmpeg', 'ffprobe'));
  return sibling !== ffmpegPath && (await isExecutable(sibling)) ? sibling : 'ffprobe';
}

async function checkVersion(tool: MediaTool, path: string): Promise<{ version: string; major: number }> {
  let out: string;
  try {
    out = await captureOutput(path, ['-hide_banner', '-version']);
  } catch (e) {
    throw ffmpegNotFound(tool, path, e);
  }
  const parsed = parseVersionOutput(out);
  if (!parsed)
    throw ffmpegNotFound(tool, path, new Error(`unrecognised -version output: ${out.slice(0, 120)}`));
  if (parsed.major === null || parsed.major < MIN_FFMPEG_MAJOR) {
    throw ffmpegTooOld(tool, path, parsed.version, MIN_FFMPEG_MAJOR);
  }
  return { version: parsed.version, major: parsed.major };
}

/**
 * Locates ffmpeg and ffprobe (explicit paths, else the PATH), checks they run and are version 5 or
 * newer, and returns the frozen description every other media function takes.
 */
export async function findFfmpeg(opts: FindFfmpegOptions = {}): Promise<Ffmpeg> {
  const protocols = Object.freeze([...(opts.protocols ?? DEFAULT_PROTOCOLS)]);
  protocolList(protocols);
  const ffmpegPath = opts.ffmpegPath ?? 'ffmpeg';
  const ffprobePath = opts.ffprobePath ?? (await defaultProbePath(opts.ffmpegPath));
  const [ffmpeg] = await Promise.all([
    checkVersion('ffmpeg', ffmpegPath),
    checkVersion('ffprobe', ffprobePath),
  ]);
  return Object.freeze({
    ffmpegPath,
    ffprobePath,
    version: ffmpeg.version,
    major: ffmpeg.major,
    protocols,
    [capabilityMemo]: new Map<string, Promise<unknown>>(),
  });
}
