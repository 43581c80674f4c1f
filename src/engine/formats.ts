import { extname } from 'node:path';
import { formatCodecs, type Output, type OutputFormat, type VideoCodec } from '../timeline/schema.js';

/** How a format is produced: one encoder over frames and sound, a palette GIF, pictures, a stream, or sound only. */
export type OutputKind = 'video' | 'gif' | 'images' | 'hls' | 'audio';

/** What Reelforge needs to know to write one output format. */
export interface FormatInfo {
  kind: OutputKind;
  /** ffmpeg's muxer (`-f`). */
  muxer: string;
  /** The file's extension, or for a folder the extension of the files in it. */
  extension: string;
  /** Whether the output is a folder (image sequences, HLS) rather than one file. */
  folder: boolean;
  /** Audio encoders in order of preference; empty when the format carries no sound. */
  audioEncoders: readonly string[];
  /** Whether the video can be rendered as time-range chunks in several processes and joined. */
  chunkable: boolean;
}

const video = (muxer: string, extension: string, audio: string): FormatInfo => ({
  kind: 'video',
  muxer,
  extension,
  folder: false,
  audioEncoders: [audio],
  chunkable: true,
});
const images = (extension: string): FormatInfo => ({
  kind: 'images',
  muxer: 'image2',
  extension,
  folder: true,
  audioEncoders: [],
  chunkable: true,
});
const audio = (muxer: string, extension: string, encoders: string[]): FormatInfo => ({
  kind: 'audio',
  muxer,
  extension,
  folder: false,
  audioEncoders: encoders,
  chunkable: false,
});

/** Every output format. */
export const formats: Readonly<Record<OutputFormat, Readonly<FormatInfo>>> = Object.freeze({
  mp4: video('mp4', '.mp4', 'aac'),
  mov: video('mov', '.mov', 'aac'),
  mkv: video('matroska', '.mkv', 'aac'),
  webm: video('webm', '.webm', 'libopus'),
  gif: { kind: 'gif', muxer: 'gif', extension: '.gif', folder: false, audioEncoders: [], chunkable: false },
  'png-sequence': images('.png'),
  'jpeg-sequence': images('.jpg'),
  hls: {
    kind: 'hls',
    muxer: 'hls',
    extension: '.m3u8',
    folder: true,
    audioEncoders: ['aac'],
    chunkable: false,
  },
  m4a: audio('ipod', '.m4a', ['aac']),
  mp3: audio('mp3', '.mp3', ['libmp3lame', 'libshine']),
  opus: audio('opus', '.opus', ['libopus']),
  wav: audio('wav', '.wav', ['pcm_s16le']),
});

/** The video codec an output uses: `output.codec`, else the format's default; null for formats without one. */
export function outputCodec(output: Pick<Output, 'format' | 'codec'>): VideoCodec | null {
  return output.codec ?? formatCodecs[output.format][0] ?? null;
}

const byExtension: Readonly<Record<string, OutputFormat>> = {
  '.mp4': 'mp4',
  '.m4v': 'mp4',
  '.mov': 'mov',
  '.mkv': 'mkv',
  '.webm': 'webm',
  '.gif': 'gif',
  '.m4a': 'm4a',
  '.mp3': 'mp3',
  '.opus': 'opus',
  '.wav': 'wav',
};

/** The file format an output path's extension names (`clip.webm` → webm), or null (folders, unknown). */
export function formatFromPath(path: string): OutputFormat | null {
  return byExtension[extname(path).toLowerCase()] ?? null;
}

/** The default output name for a base name: `show.mp4`, `show.gif`; folders get `show-frames`, `show-hls`. */
export function defaultOutputName(base: string, format: OutputFormat): string {
  const info = formats[format];
  if (!info.folder) return `${base}${info.extension}`;
  return `${base}-${info.kind === 'hls' ? 'hls' : 'frames'}`;
}
