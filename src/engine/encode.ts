import type { EncoderSettings, X264Preset } from '../timeline/profiles.js';
import { x264Presets } from '../timeline/schema.js';
import { fpsText } from '../timeline/time.js';
import type { VideoEncoder } from './encoders.js';

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

// The compositor works in BT.709 limited range; say so, so that players do not guess.
const BT709 = [
  '-colorspace',
  'bt709',
  '-color_primaries',
  'bt709',
  '-color_trc',
  'bt709',
  '-color_range',
  'tv',
];

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
    ...BT709,
  ];
}

/** Speed settings of other encoders follow the x264 preset names, fastest first. */
const PRESET_ORDER: readonly X264Preset[] = x264Presets;
const speed = <T>(values: readonly T[], preset: X264Preset): T => values[PRESET_ORDER.indexOf(preset)]!;
const VP9_CPU_USED = [8, 7, 6, 5, 4, 3, 2, 1, 0];
const SVT_PRESET = [12, 11, 10, 9, 8, 7, 5, 4, 2];
const AOM_CPU_USED = [8, 8, 7, 6, 6, 5, 4, 3, 2];
const NVENC_PRESET = ['p1', 'p2', 'p2', 'p3', 'p3', 'p4', 'p5', 'p6', 'p7'];
const QSV_PRESET = [
  'veryfast',
  'veryfast',
  'veryfast',
  'faster',
  'fast',
  'medium',
  'slow',
  'slower',
  'veryslow',
];

/** Options that must come before the inputs for a hardware encoder (VAAPI's device). */
export function encoderGlobalArgs(enc: VideoEncoder): string[] {
  return enc.hardware === 'vaapi' && enc.device ? ['-vaapi_device', enc.device] : [];
}

/**
 * The video encoder options for any supported encoder: the profile's CRF on that encoder's own scale
 * (constant quality for hardware), the x264 preset name mapped to its speed setting, BT.709 tags.
 */
export function encoderArgs(
  enc: VideoEncoder,
  settings: EncoderSettings,
  opts: { alpha?: boolean; threads?: number } = {},
): string[] {
  const crf = String(settings.crf);
  const p = settings.preset;
  const threads = opts.threads ? ['-threads', String(opts.threads)] : [];
  const name = enc.name;
  let codec: string[];
  if (name === 'libx264') return videoCodecArgs({ settings, threads: opts.threads });
  if (name === 'libx265') {
    codec = ['-preset', p, '-crf', crf, '-pix_fmt', 'yuv420p', '-x265-params', 'log-level=error'];
  } else if (name === 'libvpx-vp9') {
    const pix = opts.alpha ? 'yuva420p' : 'yuv420p';
    const cpu = String(speed(VP9_CPU_USED, p));
    codec = [
      '-crf',
      crf,
      '-b:v',
      '0',
      '-deadline',
      'good',
      '-cpu-used',
      cpu,
      '-row-mt',
      '1',
      '-pix_fmt',
      pix,
    ];
    codec.push(...threads);
  } else if (name === 'libsvtav1') {
    codec = ['-preset', String(speed(SVT_PRESET, p)), '-crf', crf, '-pix_fmt', 'yuv420p'];
  } else if (name === 'libaom-av1') {
    const cpu = String(speed(AOM_CPU_USED, p));
    codec = ['-crf', crf, '-b:v', '0', '-cpu-used', cpu, '-row-mt', '1', '-pix_fmt', 'yuv420p', ...threads];
  } else if (enc.hardware === 'nvenc') {
    codec = ['-preset', speed(NVENC_PRESET, p), '-rc', 'vbr', '-cq', crf, '-b:v', '0', '-pix_fmt', 'yuv420p'];
  } else if (enc.hardware === 'qsv') {
    codec = ['-preset', speed(QSV_PRESET, p), '-global_quality', crf, '-pix_fmt', 'nv12'];
  } else if (enc.hardware === 'vaapi') {
    codec = ['-vf', 'format=nv12,hwupload', '-rc_mode', 'CQP', '-qp', crf];
  } else {
    codec = [];
  }
  return ['-c:v', name, ...codec, ...BT709];
}

/** Input options for raw I420 frames (yuva420p with `alpha`) arriving on stdin. */
export function rawVideoInputArgs(
  spec: Pick<EncodeSpec, 'width' | 'height' | 'fps'>,
  input = 'pipe:0',
  alpha = false,
): string[] {
  return [
    '-f',
    'rawvideo',
    '-pix_fmt',
    alpha ? 'yuva420p' : 'yuv420p',
    '-s',
    `${spec.width}x${spec.height}`,
    '-r',
    fpsText(spec.fps),
    '-i',
    input,
  ];
}

/** Audio encoder options: the bitrate for lossy codecs (MP3 stops at 320 kbit/s), none for PCM. */
export function audioCodecArgs(encoder: string, bitrateKbps: number): string[] {
  if (encoder.startsWith('pcm_')) return ['-c:a', encoder];
  const kbps = encoder === 'libmp3lame' || encoder === 'libshine' ? Math.min(320, bitrateKbps) : bitrateKbps;
  return ['-c:a', encoder, '-b:a', `${kbps}k`];
}

/** Everything a single-file video (MP4, MOV, MKV, WebM) depends on. */
export interface VideoFileSpec {
  width: number;
  height: number;
  fps: number;
  /** ffmpeg's muxer: mp4, mov, matroska, webm. */
  muxer: string;
  video: VideoEncoder;
  settings: EncoderSettings;
  alpha: boolean;
  /** The mixed WAV and its encoder, or null for a video without sound (chunks). */
  audio: { path: string; encoder: string } | null;
  outPath: string;
  threads?: number;
  /** Move an MP4/MOV index to the front (default true; chunks that are joined later skip it). */
  faststart?: boolean;
}

/** Options that make an MP4/MOV play everywhere: H.265 tagged hvc1 (Apple), the index at the front. */
export function containerArgs(muxer: string, codec: VideoEncoder['codec'], faststart = true): string[] {
  if (muxer !== 'mp4' && muxer !== 'mov') return [];
  return [...(codec === 'h265' ? ['-tag:v', 'hvc1'] : []), ...(faststart ? ['-movflags', '+faststart'] : [])];
}

/** The encoder command of a single-file video: raw frames on stdin plus the mixed audio. */
export function buildVideoFileArgs(spec: VideoFileSpec): string[] {
  const audio = spec.audio
    ? [
        '-i',
        spec.audio.path,
        '-map',
        '0:v:0',
        '-map',
        '1:a:0',
        ...audioCodecArgs(spec.audio.encoder, spec.settings.audioBitrateKbps),
      ]
    : ['-map', '0:v:0'];
  return [
    ...encoderGlobalArgs(spec.video),
    ...rawVideoInputArgs(spec, 'pipe:0', spec.alpha),
    ...audio,
    ...encoderArgs(spec.video, spec.settings, { alpha: spec.alpha, threads: spec.threads }),
    ...containerArgs(spec.muxer, spec.video.codec, spec.faststart ?? true),
    '-f',
    spec.muxer,
    '-y',
    spec.outPath,
  ];
}

/** The ffmpeg arguments of the H.264/AAC encoder: raw frames on stdin plus the mixed audio, into one file. */
export function buildEncoderArgs(spec: EncodeSpec): string[] {
  return buildVideoFileArgs({
    ...spec,
    muxer: spec.format,
    video: { name: 'libx264', codec: 'h264', hardware: null, device: null },
    alpha: false,
    audio: spec.audioPath ? { path: spec.audioPath, encoder: 'aac' } : null,
  });
}
