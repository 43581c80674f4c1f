import type { EncoderSettings } from '../timeline/profiles.js';
import { fpsText } from '../timeline/time.js';

/** Everything the encoder command depends on. */
export interface EncodeSpec {
  width: number;
  height: number;
  fps: number;
  format: 'mp4' | 'mov';
  settings: EncoderSettings;
  /** A WAV of exactly the video's length, or null for a silent video without an audio track. */
  audioPath: string | null;
  outPath: string;
  /** Encoder threads; 0 lets x264 decide. */
  threads?: number;
}

/** The x264 and container options, shared by export and by the benchmark's encoder-only reference. */
export function videoCodecArgs(spec: Pick<EncodeSpec, 'settings' | 'threads'>): string[] {
  return [
    '-c:v',
    'libx264',
    '-preset',
    spec.settings.preset,
    '-crf',
    String(spec.settings.crf),
    '-pix_fmt',
    'yuv420p',
    ...(spec.threads ? ['-threads', String(spec.threads)] : []),
    // The compositor works in BT.709 limited range; say so, so that players do not guess.
    '-colorspace',
    'bt709',
    '-color_primaries',
    'bt709',
    '-color_trc',
    'bt709',
    '-color_range',
    'tv',
  ];
}

/** Input options for raw I420 frames arriving on stdin. */
export function rawVideoInputArgs(
  spec: Pick<EncodeSpec, 'width' | 'height' | 'fps'>,
  input = 'pipe:0',
): string[] {
  return [
    '-f',
    'rawvideo',
    '-pix_fmt',
    'yuv420p',
    '-s',
    `${spec.width}x${spec.height}`,
    '-r',
    fpsText(spec.fps),
    '-i',
    input,
  ];
}

/** The ffmpeg arguments of the encoder: raw frames on stdin plus the mixed audio, into one file. */
export function buildEncoderArgs(spec: EncodeSpec): string[] {
  const audio = spec.audioPath
    ? [
        '-i',
        spec.audioPath,
        '-map',
        '0:v:0',
        '-map',
        '1:a:0',
        '-c:a',
        'aac',
        '-b:a',
        `${spec.settings.audioBitrateKbps}k`,
      ]
    : ['-map', '0:v:0'];
  return [
    ...rawVideoInputArgs(spec),
    ...audio,
    ...videoCodecArgs(spec),
    '-movflags',
    '+faststart',
    '-f',
    spec.format,
    '-y',
    spec.outPath,
  ];
}
