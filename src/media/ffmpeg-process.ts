import type { Logger } from '../log.js';
import type { Ffmpeg } from './find-ffmpeg.js';
import { probeOutputTooLarge } from './media-errors.js';
import type { FfmpegProgress } from './progress.js';
import { assertSafeInputArgs, protocolList, withInputProtocols } from './protocols.js';
import { type FfmpegProcess, type FfmpegResult, ToolProcess } from './tool-process.js';

/** Options for spawnFfmpeg. */
export interface SpawnFfmpegOptions {
  /** Aborting kills the process (SIGTERM, then SIGKILL) and `done` rejects with FFMPEG_KILLED. */
  signal?: AbortSignal;
  /** Give ffmpeg a stdin pipe (for `-i pipe:0`); otherwise it runs with `-nostdin`. */
  stdin?: boolean;
  /** `pipe` to read ffmpeg's stdout (for `pipe:1` outputs); the caller must then consume it. */
  stdout?: 'pipe' | 'ignore';
  /** Receives `-progress` reports (read from file descriptor 3). */
  onProgress?: (p: FfmpegProgress) => void;
  log?: Logger;
  cwd?: string;
}

/** Options for runFfprobe. */
export interface RunFfprobeOptions {
  signal?: AbortSignal;
  log?: Logger;
  cwd?: string;
  /** Largest stdout accepted, in bytes (default 4 MiB). */
  maxBytes?: number;
}

/** The complete ffmpeg argument list: quiet banner, tagged warnings and errors, optional progress, allow-listed inputs. */
export function buildFfmpegArgs(
  args: readonly string[],
  opts: { protocols: readonly string[]; stdin: boolean; progress: boolean },
): string[] {
  assertSafeInputArgs(args);
  return [
    '-hide_banner',
    '-nostats',
    '-loglevel',
    'level+warning',
    ...(opts.stdin ? [] : ['-nostdin']),
    ...(opts.progress ? ['-progress', 'pipe:3'] : []),
    ...withInputProtocols(args, opts.protocols),
  ];
}

/** The complete ffprobe argument list; ffprobe has one input, so the allow-list applies to it wherever it is. */
export function buildFfprobeArgs(args: readonly string[], protocols: readonly string[]): string[] {
  assertSafeInputArgs(args);
  return [
    '-hide_banner',
    '-loglevel',
    'level+error',
    '-protocol_whitelist',
    protocolList(protocols),
    ...args,
  ];
}

/**
 * Starts ffmpeg with `args` (inputs, filters, outputs; not the global flags added here). Every `-i`
 * gets the `ff.protocols` allow-list. Throws MEDIA_PROTOCOL_REFUSED at once for unsafe input options.
 * User media should have passed probe() first: it refuses playlist and concat formats, which can still
 * name other local media files. Await `done`, or call `kill()`.
 */
export function spawnFfmpeg(
  ff: Ffmpeg,
  args: readonly string[],
  opts: SpawnFfmpegOptions = {},
): FfmpegProcess {
  const stdin = opts.stdin ?? false;
  return new ToolProcess({
    tool: 'ffmpeg',
    bin: ff.ffmpegPath,
    args: buildFfmpegArgs(args, { protocols: ff.protocols, stdin, progress: opts.onProgress !== undefined }),
    stdin,
    stdout: opts.stdout ?? 'ignore',
    onProgress: opts.onProgress ?? null,
    signal: opts.signal ?? null,
    log: opts.log ?? null,
    cwd: opts.cwd,
  });
}

/** Runs ffmpeg to completion (no stdin, stdout discarded); rejects like `FfmpegProcess.done`. */
export function runFfmpeg(
  ff: Ffmpeg,
  args: readonly string[],
  opts: Omit<SpawnFfmpegOptions, 'stdin' | 'stdout'> = {},
): Promise<FfmpegResult> {
  return spawnFfmpeg(ff, args, opts).done;
}

/** Runs ffprobe and returns its stdout; fails with FFPROBE_FAILED on a non-zero exit or oversized output. */
export async function runFfprobe(
  ff: Ffmpeg,
  args: readonly string[],
  opts: RunFfprobeOptions = {},
): Promise<string> {
  const maxBytes = opts.maxBytes ?? 4 * 1024 * 1024;
  const fullArgs = buildFfprobeArgs(args, ff.protocols);
  const proc = new ToolProcess({
    tool: 'ffprobe',
    bin: ff.ffprobePath,
    args: fullArgs,
    stdin: false,
    stdout: 'pipe',
    onProgress: null,
    signal: opts.signal ?? null,
    log: opts.log ?? null,
    cwd: opts.cwd,
  });
  const chunks: Buffer[] = [];
  let size = 0;
  proc.stdout?.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= maxBytes) chunks.push(chunk);
    else void proc.kill(0);
  });
  const tooLarge = () =>
    probeOutputTooLarge(
      { tool: 'ffprobe', exitCode: null, signal: null, args: fullArgs, stderrTail: '' },
      maxBytes,
    );
  try {
    await proc.done;
  } catch (e) {
    throw size > maxBytes ? tooLarge() : e;
  }
  if (size > maxBytes) throw tooLarge();
  return Buffer.concat(chunks).toString('utf8');
}
