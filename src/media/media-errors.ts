import { ReelforgeError } from '../errors.js';
import { relevantStderrLine } from './tail-buffer.js';

/** Which binary a process runs. */
export type MediaTool = 'ffmpeg' | 'ffprobe';

/** What a failed ffmpeg/ffprobe error carries in `meta.details`. */
export interface ProcessFailureDetails {
  tool: MediaTool;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  args: readonly string[];
  /** The last few KB of stderr. */
  stderrTail: string;
}

const INSTALL_HINT =
  'Install it (Debian/Ubuntu: `apt-get install ffmpeg`; macOS: `brew install ffmpeg`) or point ' +
  'REELFORGE_FFMPEG / REELFORGE_FFPROBE at the binaries.';

/** FFMPEG_NOT_FOUND: the binary could not be started. */
export function ffmpegNotFound(tool: MediaTool, path: string, cause?: unknown, cwd?: string): ReelforgeError {
  const code = (cause as { code?: unknown } | undefined)?.code;
  const why =
    typeof code === 'string'
      ? code
      : typeof code === 'number'
        ? `exit code ${code}`
        : cause instanceof Error
          ? cause.message
          : 'not found';
  // Node reports a missing working folder as ENOENT for the binary too.
  const where = cwd === undefined ? '' : ` in the folder "${cwd}" (check that it exists)`;
  return new ReelforgeError(
    'FFMPEG_NOT_FOUND',
    `${tool} could not be started from "${path}"${where} (${why}). ${INSTALL_HINT}`,
    { status: 503, retryable: false, details: { tool, path, cwd }, cause },
  );
}

/** FFMPEG_TOO_OLD: the binary runs but is older than Reelforge supports. */
export function ffmpegTooOld(
  tool: MediaTool,
  path: string,
  version: string,
  minMajor: number,
): ReelforgeError {
  return new ReelforgeError(
    'FFMPEG_TOO_OLD',
    `${tool} at "${path}" is version ${version}; Reelforge needs ${minMajor} or newer. ${INSTALL_HINT}`,
    { status: 503, retryable: false, details: { tool, path, version, minMajor } },
  );
}

/** FFMPEG_EXITED (ffmpeg) or FFPROBE_FAILED (ffprobe): the process ended with a non-zero exit code. */
export function ffmpegExited(d: ProcessFailureDetails): ReelforgeError {
  const line = relevantStderrLine(d.stderrTail);
  const message = `${d.tool} exited with code ${d.exitCode}${line ? `: ${line}` : ' (no error output)'}`;
  return new ReelforgeError(d.tool === 'ffmpeg' ? 'FFMPEG_EXITED' : 'FFPROBE_FAILED', message, {
    status: 500,
    retryable: false,
    details: d,
  });
}

/** FFMPEG_EXITED: ffmpeg finished successfully but stopped reading stdin before everything was written. */
export function inputNotConsumed(d: ProcessFailureDetails): ReelforgeError {
  return new ReelforgeError(
    'FFMPEG_EXITED',
    `${d.tool} exited with code 0 before reading all of its input (an output limit such as -t or -frames?)`,
    { status: 500, retryable: false, details: d },
  );
}

/** FFPROBE_FAILED: ffprobe printed more than we are willing to parse. */
export function probeOutputTooLarge(d: ProcessFailureDetails, maxBytes: number): ReelforgeError {
  return new ReelforgeError(
    'FFPROBE_FAILED',
    `ffprobe printed more than ${maxBytes} bytes; refusing to parse it`,
    {
      status: 500,
      retryable: false,
      details: d,
    },
  );
}

/** FFMPEG_KILLED: the process was stopped by a signal — ours (cancellation) or someone else's. */
export function ffmpegKilled(d: ProcessFailureDetails & { byUs: boolean }, cause?: unknown): ReelforgeError {
  const { byUs, ...details } = d;
  const message = byUs
    ? `${d.tool} was stopped because its work was cancelled`
    : `${d.tool} was killed by ${d.signal ?? 'a signal'} (not by Reelforge; out of memory, or stopped by an operator?)`;
  return new ReelforgeError('FFMPEG_KILLED', message, {
    status: 503,
    retryable: true,
    details: { ...details, byUs },
    cause,
  });
}

/** MEDIA_PROTOCOL_REFUSED: an input tried to open something outside the allow-list. */
export function protocolRefused(reason: string, details: unknown): ReelforgeError {
  return new ReelforgeError(
    'MEDIA_PROTOCOL_REFUSED',
    `Input refused: ${reason}. Media may only be read from local files; playlists, concat lists and ` +
      'network references are not accepted.',
    { status: 422, retryable: false, details },
  );
}

/** MEDIA_UNREADABLE: ffprobe could not make sense of a file. */
export function mediaUnreadable(path: string, reason: string, cause?: unknown): ReelforgeError {
  return new ReelforgeError('MEDIA_UNREADABLE', `Cannot read media file "${path}": ${reason}`, {
    status: 422,
    retryable: false,
    details: { path, reason },
    cause,
  });
}
