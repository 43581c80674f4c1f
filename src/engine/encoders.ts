import { ReelforgeError } from '../errors.js';
import type { EncoderInfo } from '../media/index.js';
import { formatCodecs, type HardwareChoice, type OutputFormat, type VideoCodec } from '../timeline/schema.js';
import { formats } from './formats.js';

/** A hardware encoder family. */
export type HardwareKind = 'nvenc' | 'vaapi' | 'qsv';

/** The video encoder a render uses. */
export interface VideoEncoder {
  /** ffmpeg's encoder name: `libx264`, `hevc_nvenc`, `libsvtav1`, … */
  name: string;
  codec: VideoCodec;
  hardware: HardwareKind | null;
  /** The device a hardware encoder opens (VAAPI's render node), else null. */
  device: string | null;
}

interface Candidate {
  name: string;
  hardware: HardwareKind | null;
  /** Smallest width and height the encoder accepts. */
  minSize: number;
  /** Whether it can encode an alpha plane. */
  alpha: boolean;
}

const hw = (name: string, hardware: HardwareKind): Candidate => ({
  name,
  hardware,
  minSize: 16,
  alpha: false,
});
const sw = (name: string, minSize = 16, alpha = false): Candidate => ({
  name,
  hardware: null,
  minSize,
  alpha,
});

/** Encoders per codec: hardware first (in the order `auto` tries them), then software by preference. */
export const videoEncoderCandidates: Readonly<Record<VideoCodec, readonly Candidate[]>> = Object.freeze({
  h264: [hw('h264_nvenc', 'nvenc'), hw('h264_qsv', 'qsv'), hw('h264_vaapi', 'vaapi'), sw('libx264')],
  h265: [hw('hevc_nvenc', 'nvenc'), hw('hevc_qsv', 'qsv'), hw('hevc_vaapi', 'vaapi'), sw('libx265')],
  vp9: [hw('vp9_qsv', 'qsv'), hw('vp9_vaapi', 'vaapi'), sw('libvpx-vp9', 16, true)],
  // SVT-AV1 refuses pictures under 64 pixels a side; libaom takes any size, slowly.
  av1: [
    hw('av1_nvenc', 'nvenc'),
    hw('av1_qsv', 'qsv'),
    hw('av1_vaapi', 'vaapi'),
    sw('libsvtav1', 64),
    sw('libaom-av1'),
  ],
});

/** What a render asks for. */
export interface VideoEncoderRequest {
  format: OutputFormat;
  codec: VideoCodec;
  hardware: HardwareChoice;
  alpha: boolean;
  width: number;
  height: number;
}

/** How hardware is found and tried; injected so that the choice can be tested without hardware. */
export interface HardwareProbe {
  /** The device a family would use (`/dev/dri/renderD128`, `default`), or null when none is present. */
  device(kind: HardwareKind): Promise<string | null>;
  /** Tries a one-frame encode: null when it worked, else why it failed. */
  tryEncode(encoder: VideoEncoder): Promise<string | null>;
}

function unavailable(message: string, details: unknown): ReelforgeError {
  return new ReelforgeError('ENCODER_UNAVAILABLE', message, { status: 422, retryable: false, details });
}

/** What this ffmpeg can write for a format: video encoders per codec, and audio encoders. */
export function availableFor(
  format: OutputFormat,
  available: readonly EncoderInfo[],
): { video: Partial<Record<VideoCodec, string[]>>; audio: string[] } {
  const names = new Set(available.map((e) => e.name));
  const video: Partial<Record<VideoCodec, string[]>> = {};
  for (const codec of formatCodecs[format]) {
    const found = videoEncoderCandidates[codec].filter((c) => names.has(c.name)).map((c) => c.name);
    if (found.length > 0) video[codec] = found;
  }
  return { video, audio: formats[format].audioEncoders.filter((n) => names.has(n)) };
}

/** "h264 (libx264, h264_nvenc), av1 (libsvtav1); audio aac" */
function describeAvailable(format: OutputFormat, available: readonly EncoderInfo[]): string {
  const a = availableFor(format, available);
  const video = Object.entries(a.video).map(([codec, names]) => `${codec} (${names.join(', ')})`);
  const parts = [
    formatCodecs[format].length > 0 ? `video ${video.length > 0 ? video.join(', ') : 'none'}` : '',
    formats[format].audioEncoders.length > 0
      ? `audio ${a.audio.length > 0 ? a.audio.join(', ') : 'none'}`
      : '',
  ].filter(Boolean);
  return parts.join('; ');
}

/**
 * Picks the video encoder: with `hardware: 'auto'` the first hardware encoder that ffmpeg lists, whose
 * device is present and whose one-frame test encode works, else the preferred software encoder; a named
 * family must work or the render fails; `off` uses software only. Fails with ENCODER_UNAVAILABLE,
 * naming what this ffmpeg does offer for the format.
 */
export async function chooseVideoEncoder(
  req: VideoEncoderRequest,
  available: readonly EncoderInfo[],
  probe: HardwareProbe,
  ffmpegVersion = '',
): Promise<VideoEncoder> {
  const names = new Set(available.filter((e) => e.kind === 'video').map((e) => e.name));
  const all = videoEncoderCandidates[req.codec];
  const listed = all.filter((c) => names.has(c.name));
  const offer = () =>
    `This ffmpeg${ffmpegVersion ? ` (${ffmpegVersion})` : ''} offers for ${req.format}: ${describeAvailable(req.format, available)}.`;
  const details = { ...req, looked: all.map((c) => c.name), available: availableFor(req.format, available) };
  const encoder = (c: Candidate, device: string | null): VideoEncoder => ({
    name: c.name,
    codec: req.codec,
    hardware: c.hardware,
    device,
  });

  if (req.hardware !== 'auto' && req.hardware !== 'off') {
    const kind = req.hardware;
    const c = all.find((x) => x.hardware === kind);
    const at = `output.hardware ${kind}`;
    if (req.alpha)
      throw unavailable(
        `${at}: hardware encoders cannot keep transparency (alpha); use hardware auto or off`,
        details,
      );
    if (!c || !names.has(c.name))
      throw unavailable(
        `${at}: no ${kind} encoder for ${req.codec}${c ? ` (${c.name})` : ''} in this ffmpeg. ${offer()}`,
        details,
      );
    const device = await probe.device(kind);
    if (device === null)
      throw unavailable(
        `${at}: ${c.name} is built in, but no ${kind} device was found on this machine; use hardware auto or off`,
        details,
      );
    const failure = await probe.tryEncode(encoder(c, device));
    if (failure !== null)
      throw unavailable(
        `${at}: ${c.name} is built in, but a one-frame test encode failed (${failure}); use hardware auto or off`,
        { ...details, failure },
      );
    return encoder(c, device);
  }

  if (req.hardware === 'auto' && !req.alpha) {
    for (const c of listed) {
      if (c.hardware === null) continue;
      const device = await probe.device(c.hardware);
      if (device === null) continue;
      if ((await probe.tryEncode(encoder(c, device))) === null) return encoder(c, device);
    }
  }
  const software = listed.filter((c) => c.hardware === null && (c.alpha || !req.alpha));
  const fits = software.find((c) => req.width >= c.minSize && req.height >= c.minSize);
  if (fits) return encoder(fits, null);
  const at = `output.codec ${req.codec}`;
  if (software.length > 0) {
    const c = software[0]!;
    throw unavailable(
      `${at}: ${c.name} needs at least ${c.minSize}×${c.minSize} pixels, got ${req.width}×${req.height}. ${offer()}`,
      details,
    );
  }
  const looked = all
    .filter((c) => c.hardware === null)
    .map((c) => c.name)
    .join(' or ');
  const what = req.alpha
    ? `${req.codec} encoder that keeps transparency (${looked})`
    : `software ${req.codec} encoder (${looked})`;
  throw unavailable(`${at}: this ffmpeg has no ${what}. ${offer()}`, details);
}

/** The first audio encoder of the format that ffmpeg has; null for formats without sound. */
export function chooseAudioEncoder(format: OutputFormat, available: readonly EncoderInfo[]): string | null {
  const wanted = formats[format].audioEncoders;
  if (wanted.length === 0) return null;
  const names = new Set(available.filter((e) => e.kind === 'audio').map((e) => e.name));
  const found = wanted.find((n) => names.has(n));
  if (found) return found;
  throw unavailable(
    `output.format ${format}: this ffmpeg has no ${wanted.join(' or ')} audio encoder. It offers for ${format}: ${describeAvailable(format, available)}.`,
    { format, looked: wanted, available: availableFor(format, available) },
  );
}
