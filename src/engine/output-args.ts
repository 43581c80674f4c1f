import { join } from 'node:path';
import type { EncoderSettings } from '../timeline/profiles.js';
import {
  audioCodecArgs,
  containerArgs,
  encoderArgs,
  encoderGlobalArgs,
  rawVideoInputArgs,
} from './encode.js';
import type { VideoEncoder } from './encoders.js';

/** Frame size and rate of raw input on stdin. */
export interface RawInput {
  width: number;
  height: number;
  fps: number;
  alpha: boolean;
}

/** BT.709 limited-range Y′CbCr (the compositor's) to RGB, for formats that store RGB. */
const TO_RGB = 'scale=in_color_matrix=bt709:in_range=tv:flags=bicubic+accurate_rnd+full_chroma_int';

/** `name-%05d.png`: image sequence files are numbered by frame index, so a range keeps its numbers. */
export function imagePattern(folder: string, prefix: string, extension: string): string {
  return join(folder, `${prefix}-%05d${extension}`);
}

/** JPEG quality (`-q:v`, 2 best … 31) per profile. */
const JPEG_Q = { economy: 6, standard: 4, premium: 3, ultra: 2 } as const;

/**
 * PNG or JPEG files from raw frames: PNG as RGB (RGBA with alpha), JPEG as full-range BT.601 Y′CbCr,
 * which is what JPEG decoders assume. `firstFrame` numbers the first file.
 */
export function imageSequenceArgs(
  input: RawInput,
  o: { extension: string; settings: EncoderSettings; pattern: string; firstFrame: number },
): string[] {
  const png = o.extension === '.png';
  const codec = png
    ? ['-vf', `${TO_RGB},format=${input.alpha ? 'rgba' : 'rgb24'}`, '-c:v', 'png']
    : [
        ...['-vf', `${TO_RGB}:out_color_matrix=bt601:out_range=pc,format=yuvj420p`],
        ...['-c:v', 'mjpeg', '-q:v', String(JPEG_Q[o.settings.profile])],
      ];
  return [
    ...rawVideoInputArgs(input, 'pipe:0', input.alpha),
    ...codec,
    ...['-start_number', String(o.firstFrame), '-f', 'image2', '-y', o.pattern],
  ];
}

/** Above this many bytes of RGB frames, a GIF is rendered twice rather than held in memory for its palette. */
export const GIF_ONE_PASS_BYTES = 256 * 2 ** 20;

/** Whether a GIF's palette can be made in the same pass (ffmpeg then keeps every frame until the end). */
export function gifOnePass(frames: number, width: number, height: number): boolean {
  return frames * width * height * 3 <= GIF_ONE_PASS_BYTES;
}

const PALETTE_GEN = 'palettegen=stats_mode=diff';
const paletteUse = (settings: EncoderSettings) =>
  `paletteuse=dither=${settings.profile === 'economy' ? 'bayer:bayer_scale=3' : 'sierra2_4a'}:diff_mode=rectangle`;

/** A GIF in one pass: the frames split into a palette built over all of them and its use. */
export function gifArgs(input: RawInput, settings: EncoderSettings, outPath: string): string[] {
  return [
    ...rawVideoInputArgs(input),
    ...[
      '-filter_complex',
      `[0:v]${TO_RGB},format=rgb24,split[a][b];[a]${PALETTE_GEN}[p];[b][p]${paletteUse(settings)}`,
    ],
    ...['-f', 'gif', '-y', outPath],
  ];
}

/** First of two passes for a long GIF: the palette alone, as a PNG. */
export function gifPaletteArgs(input: RawInput, palettePath: string): string[] {
  return [
    ...rawVideoInputArgs(input),
    ...['-vf', `${TO_RGB},format=rgb24,${PALETTE_GEN}`, '-f', 'image2', '-update', '1', '-y', palettePath],
  ];
}

/** Second pass: the frames again, mapped to the palette. */
export function gifWithPaletteArgs(
  input: RawInput,
  settings: EncoderSettings,
  palettePath: string,
  outPath: string,
): string[] {
  return [
    ...rawVideoInputArgs(input),
    ...['-i', palettePath],
    ...['-filter_complex', `[0:v]${TO_RGB},format=rgb24[v];[v][1:v]${paletteUse(settings)}`],
    ...['-f', 'gif', '-y', outPath],
  ];
}

/** HLS segment length, seconds. */
export const HLS_SEGMENT_SEC = 4;

/**
 * HLS for on-demand streaming: `index.m3u8` and segments in `folder`, a keyframe forced at every
 * segment start. H.264 goes in MPEG-TS segments, H.265 in fragmented MP4 (what Apple accepts).
 */
export function hlsArgs(
  input: RawInput,
  o: {
    video: VideoEncoder;
    settings: EncoderSettings;
    audio: { path: string; encoder: string };
    folder: string;
  },
): string[] {
  const fmp4 = o.video.codec === 'h265';
  return [
    ...encoderGlobalArgs(o.video),
    ...rawVideoInputArgs(input),
    ...['-i', o.audio.path, '-map', '0:v:0', '-map', '1:a:0'],
    ...encoderArgs(o.video, o.settings),
    ...audioCodecArgs(o.audio.encoder, o.settings.audioBitrateKbps),
    ...['-force_key_frames', `expr:gte(t,n_forced*${HLS_SEGMENT_SEC})`],
    ...containerArgs('mp4', o.video.codec, false),
    ...['-f', 'hls', '-hls_time', String(HLS_SEGMENT_SEC), '-hls_playlist_type', 'vod'],
    ...['-hls_flags', 'independent_segments'],
    ...(fmp4 ? ['-hls_segment_type', 'fmp4', '-hls_fmp4_init_filename', 'init.mp4'] : []),
    ...['-hls_segment_filename', join(o.folder, `segment-%05d${fmp4 ? '.m4s' : '.ts'}`)],
    ...['-y', join(o.folder, 'index.m3u8')],
  ];
}

/** Sound only: the mixed WAV encoded into an audio file. */
export function audioOnlyArgs(o: {
  audioPath: string;
  encoder: string;
  muxer: string;
  settings: EncoderSettings;
  outPath: string;
}): string[] {
  return [
    ...['-i', o.audioPath, '-map', '0:a:0'],
    ...audioCodecArgs(o.encoder, o.settings.audioBitrateKbps),
    ...(o.muxer === 'ipod' ? ['-movflags', '+faststart'] : []),
    ...['-f', o.muxer, '-y', o.outPath],
  ];
}

/**
 * An ffconcat list of chunk files (named relative to its own folder: the concat demuxer's safe mode)
 * with each file's exact length. Without it the demuxer would take the container's duration, which
 * MP4 rounds up to the millisecond, and frames after each boundary would drift. Lengths are whole
 * microseconds that add up to each chunk's exact start, so no error accumulates.
 */
export function concatList(chunks: readonly { file: string; startSec: number; endSec: number }[]): string {
  const us = (t: number) => Math.round(t * 1e6);
  const lines = chunks.map(
    (c) =>
      `file '${c.file.replace(/'/g, "'\\''")}'\nduration ${((us(c.endSec) - us(c.startSec)) / 1e6).toFixed(6)}`,
  );
  return `ffconcat version 1.0\n${lines.join('\n')}\n`;
}

/**
 * Joins chunk files without re-encoding their video (concat demuxer, stream copy) and adds the sound
 * mixed once for the whole range. Runs with the list's folder as the working directory.
 */
export function joinArgs(o: {
  listFile: string;
  muxer: string;
  codec: VideoEncoder['codec'];
  audio: { path: string; encoder: string } | null;
  settings: EncoderSettings;
  outPath: string;
}): string[] {
  const audio = o.audio
    ? [
        '-i',
        o.audio.path,
        '-map',
        '0:v:0',
        '-map',
        '1:a:0',
        ...audioCodecArgs(o.audio.encoder, o.settings.audioBitrateKbps),
      ]
    : ['-map', '0:v:0'];
  return [
    ...['-f', 'concat', '-i', o.listFile],
    ...audio,
    ...['-c:v', 'copy'],
    ...containerArgs(o.muxer, o.codec),
    ...['-f', o.muxer, '-y', o.outPath],
  ];
}
