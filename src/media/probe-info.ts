import { z } from 'zod';

/** The picture stream of a media file. */
export interface VideoInfo {
  codec: string;
  /** Coded size, as decoded. */
  width: number;
  height: number;
  /** Size as shown: sample aspect ratio applied, then width and height swapped for 90/270 rotation. */
  displayWidth: number;
  displayHeight: number;
  /** Clockwise degrees the decoded picture must be turned for display (the `rotate` tag's convention). */
  rotation: 0 | 90 | 180 | 270;
  /** From avg_frame_rate, falling back to r_frame_rate; null when neither is known. */
  fps: number | null;
  frameCount: number | null;
  pixFmt: string | null;
  hasAlpha: boolean;
  /** A single picture (PNG, JPEG, WebP …) rather than a moving image. */
  isStillImage: boolean;
}

/** The first audio stream of a media file. */
export interface AudioInfo {
  codec: string;
  sampleRate: number;
  channels: number;
  durationSec: number | null;
}

/** One stream, minimally. */
export interface StreamInfo {
  index: number;
  type: 'video' | 'audio' | 'subtitle' | 'data' | 'attachment' | 'unknown';
  codec: string | null;
}

/** What probe() reports about a media file. */
export interface MediaInfo {
  path: string;
  /** ffprobe's format_name, e.g. `mov,mp4,m4a,3gp,3g2,mj2` or `png_pipe`. */
  formatName: string;
  durationSec: number | null;
  sizeBytes: number;
  video: VideoInfo | null;
  audio: AudioInfo | null;
  streams: readonly StreamInfo[];
}

const streamSchema = z.object({
  index: z.number().int(),
  codec_type: z.string().optional(),
  codec_name: z.string().optional(),
  width: z.number().int().optional(),
  height: z.number().int().optional(),
  sample_aspect_ratio: z.string().optional(),
  pix_fmt: z.string().optional(),
  avg_frame_rate: z.string().optional(),
  r_frame_rate: z.string().optional(),
  nb_frames: z.string().optional(),
  duration: z.string().optional(),
  sample_rate: z.string().optional(),
  channels: z.number().int().optional(),
  disposition: z.object({ attached_pic: z.number().optional() }).optional(),
  tags: z.record(z.string(), z.string()).optional(),
  side_data_list: z.array(z.object({ rotation: z.number().optional() })).optional(),
});

/** The part of `ffprobe -print_format json -show_format -show_streams` that Reelforge reads. */
export const ffprobeOutputSchema = z.object({
  streams: z.array(streamSchema).default([]),
  format: z.object({
    format_name: z.string(),
    duration: z.string().optional(),
    size: z.string().optional(),
  }),
});

export type FfprobeOutput = z.infer<typeof ffprobeOutputSchema>;
type FfprobeStream = z.infer<typeof streamSchema>;

/** A decimal string as a finite number, or null (`N/A`, missing, garbage). */
function num(value: string | undefined): number | null {
  if (value === undefined || value.trim() === '') return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

/** `30000/1001` → 29.97…; `0/0` and malformed → null. */
export function parseRate(rate: string | undefined): number | null {
  const m = rate?.match(/^(\d+(?:\.\d+)?)(?:[/:](\d+(?:\.\d+)?))?$/);
  if (!m) return null;
  const value = Number(m[1]) / (m[2] === undefined ? 1 : Number(m[2]));
  return Number.isFinite(value) && value > 0 ? value : null;
}

/** Any angle in degrees to the nearest quarter turn in 0…270. */
export function normaliseRotation(degrees: number): 0 | 90 | 180 | 270 {
  const quarter = (((Math.round(degrees / 90) % 4) + 4) % 4) as 0 | 1 | 2 | 3;
  return ([0, 90, 180, 270] as const)[quarter];
}

/** Clockwise display rotation: display-matrix side data is counter-clockwise, the legacy tag clockwise. */
export function streamRotation(s: FfprobeStream): 0 | 90 | 180 | 270 {
  const matrix = s.side_data_list?.find((d) => d.rotation !== undefined)?.rotation;
  if (matrix !== undefined) return normaliseRotation(-matrix);
  const tag = num(s.tags?.rotate);
  return tag === null ? 0 : normaliseRotation(tag);
}

/** Whether a pixel format carries an alpha channel. */
export function pixFmtHasAlpha(pixFmt: string | null): boolean {
  return pixFmt !== null && /^(rgba|bgra|argb|abgr|yuva|gbrap|ya\d|ayuv|vuya)/.test(pixFmt);
}

function isStill(formatName: string): boolean {
  return formatName === 'image2' || formatName.endsWith('_pipe');
}

function toVideo(s: FfprobeStream, formatName: string): VideoInfo {
  const width = s.width ?? 0;
  const height = s.height ?? 0;
  const sar = parseRate(s.sample_aspect_ratio);
  const shownWidth = sar !== null && sar !== 1 ? Math.round(width * sar) : width;
  const rotation = streamRotation(s);
  const sideways = rotation === 90 || rotation === 270;
  const pixFmt = s.pix_fmt ?? null;
  return {
    codec: s.codec_name ?? 'unknown',
    width,
    height,
    displayWidth: sideways ? height : shownWidth,
    displayHeight: sideways ? shownWidth : height,
    rotation,
    fps: parseRate(s.avg_frame_rate) ?? parseRate(s.r_frame_rate),
    frameCount: num(s.nb_frames),
    pixFmt,
    hasAlpha: pixFmtHasAlpha(pixFmt),
    isStillImage: isStill(formatName),
  };
}

const STREAM_TYPES = new Set(['video', 'audio', 'subtitle', 'data', 'attachment']);

/** Turns validated ffprobe output into MediaInfo; cover art (attached pictures) does not count as video. */
export function toMediaInfo(out: FfprobeOutput, path: string, sizeBytes: number): MediaInfo {
  const formatName = out.format.format_name;
  const video = out.streams.find((s) => s.codec_type === 'video' && s.disposition?.attached_pic !== 1);
  const audio = out.streams.find((s) => s.codec_type === 'audio');
  return {
    path,
    formatName,
    durationSec: num(out.format.duration),
    sizeBytes: num(out.format.size) ?? sizeBytes,
    video: video ? toVideo(video, formatName) : null,
    audio: audio
      ? {
          codec: audio.codec_name ?? 'unknown',
          sampleRate: num(audio.sample_rate) ?? 0,
          channels: audio.channels ?? 0,
          durationSec: num(audio.duration) ?? num(out.format.duration),
        }
      : null,
    streams: out.streams.map((s) => ({
      index: s.index,
      type: (STREAM_TYPES.has(s.codec_type ?? '') ? s.codec_type : 'unknown') as StreamInfo['type'],
      codec: s.codec_name ?? null,
    })),
  };
}
