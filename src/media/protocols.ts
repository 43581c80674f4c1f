import { ReelforgeError } from '../errors.js';
import { protocolRefused } from './media-errors.js';

/** Protocols ffmpeg may open for inputs unless configured otherwise. */
export const DEFAULT_PROTOCOLS: readonly string[] = Object.freeze(['file', 'pipe']);

/**
 * Demuxers that open further files or URLs named inside the input (playlists, manifests, concat
 * lists, session descriptions). Reelforge never needs them for user media, so probe() refuses them.
 */
export const REFUSED_INPUT_FORMATS: ReadonlySet<string> = new Set([
  'hls',
  'applehttp',
  'm3u8',
  'dash',
  'webm_dash_manifest',
  'concat',
  'ffconcat',
  'imf',
  'sdp',
  'rtp',
  'rtsp',
]);

/** Input options that would widen what a demuxer may open; never passed to ffmpeg. */
const UNSAFE_INPUT_OPTIONS: Readonly<Record<string, (value: string) => boolean>> = {
  // The allow-list comes from configuration (media.protocols) only.
  '-protocol_whitelist': () => true,
  '-safe': (v) => v.trim() === '0',
  '-allowed_extensions': (v) => v.trim().toUpperCase() === 'ALL',
  '-allowed_segment_extensions': (v) => v.trim().toUpperCase() === 'ALL',
  '-enable_drefs': (v) => v.trim() !== '0' && v.trim() !== 'false',
  '-use_absolute_path': (v) => v.trim() !== '0' && v.trim() !== 'false',
};

/** Checks a protocol list and joins it for `-protocol_whitelist`. */
export function protocolList(protocols: readonly string[]): string {
  if (protocols.length === 0 || protocols.some((p) => !/^[a-z0-9_]+$/.test(p))) {
    throw new ReelforgeError(
      'CONFIG_INVALID',
      `media.protocols: expected a non-empty list of protocol names such as ["file","pipe"], got ${JSON.stringify(protocols)}`,
      { status: 500, retryable: false },
    );
  }
  return protocols.join(',');
}

/**
 * Inserts `-protocol_whitelist <list>` right before every `-i`, so that it wins over any earlier
 * whitelist and is inherited by everything that input opens (HLS segments, concat entries).
 * Inputs read with `-f lavfi` are generated, not opened, and are left alone.
 */
export function withInputProtocols(args: readonly string[], protocols: readonly string[]): string[] {
  const list = protocolList(protocols);
  const out: string[] = [];
  let segmentStart = 0;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '-i') {
      if (!isLavfiInput(args, segmentStart, i)) out.push('-protocol_whitelist', list);
      out.push(arg);
      if (i + 1 < args.length) out.push(args[++i] as string);
      segmentStart = i + 1;
      continue;
    }
    out.push(arg);
  }
  return out;
}

function isLavfiInput(args: readonly string[], from: number, inputIndex: number): boolean {
  let lavfi = false;
  for (let j = from; j < inputIndex - 1; j++) {
    if (args[j] === '-f') lavfi = args[j + 1] === 'lavfi';
  }
  return lavfi;
}

/**
 * Refuses argument lists that bring their own `-protocol_whitelist` or switch off a demuxer's own
 * safety (`-safe 0` for concat lists, `-allowed_extensions ALL` for HLS, external references in MOV). Concat lists therefore keep
 * ffmpeg's default `safe=1`: only relative, plain file names (use `cwd` to resolve them).
 */
export function assertSafeInputArgs(args: readonly string[]): void {
  for (let i = 0; i < args.length - 1; i++) {
    const isUnsafe = UNSAFE_INPUT_OPTIONS[args[i] as string];
    if (isUnsafe?.(args[i + 1] as string)) {
      throw protocolRefused(`the option ${args[i]} ${args[i + 1]} is not allowed`, { args });
    }
  }
}

/**
 * The one place that reads ffmpeg's stderr text to make a decision: the reason an input was refused
 * by the protocol allow-list or by a demuxer's own safety checks, or null if it was not.
 */
export function findRefusal(stderr: string): string | null {
  const protocol = stderr.match(/Protocol '([^']*)' not on whitelist/);
  if (protocol) return `the protocol "${protocol[1]}" is not allowed`;
  const unsafe = stderr.match(/Unsafe file name '([^']*)'/);
  if (unsafe) return `a concat list names the unsafe path "${unsafe[1]}"`;
  const segment = stderr.match(/URL (\S+) is not in allowed_(?:segment_)?extensions/);
  if (segment) return `a playlist references "${segment[1]}"`;
  const ext = stderr.match(/Filename extension of '([^']*)' is not a common multimedia extension/);
  if (ext) return `a playlist references "${ext[1]}"`;
  if (/Format not on whitelist/.test(stderr)) return 'the input format is not allowed';
  return null;
}

/** Whether ffprobe's `format_name` (a comma-separated list) names a playlist-like demuxer. */
export function isRefusedInputFormat(formatName: string): boolean {
  return formatName.split(',').some((name) => REFUSED_INPUT_FORMATS.has(name.trim()));
}
