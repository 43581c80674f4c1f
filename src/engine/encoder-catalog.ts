import { existsSync, readdirSync } from 'node:fs';
import { isReelforgeError } from '../errors.js';
import { type EncoderInfo, type Ffmpeg, listEncoders, runFfmpeg } from '../media/index.js';
import { type EncoderSettings, encoderSettings, type QualityProfileName } from '../timeline/profiles.js';
import type { Output, OutputFormat } from '../timeline/schema.js';
import { encoderArgs, encoderGlobalArgs } from './encode.js';
import {
  chooseAudioEncoder,
  chooseVideoEncoder,
  type HardwareKind,
  type HardwareProbe,
  type VideoEncoder,
  type VideoEncoderRequest,
} from './encoders.js';
import { formats, outputCodec } from './formats.js';

/** The encoders and settings of one output. */
export interface OutputEncoding {
  /** Null for formats without a video codec (GIF, image sequences, audio-only). */
  video: VideoEncoder | null;
  /** Null for formats without sound. */
  audio: string | null;
  settings: EncoderSettings;
}

/** Where hardware devices live; injected by tests. */
export type DeviceFinder = (kind: HardwareKind) => string | null;

/** The first DRM render node (VAAPI and, on Linux, QSV), or null. */
function renderNode(): string | null {
  try {
    const node = readdirSync('/dev/dri')
      .filter((n) => n.startsWith('renderD'))
      .sort()[0];
    return node ? `/dev/dri/${node}` : null;
  } catch {
    return null;
  }
}

/**
 * Looks for a device before any test encode, so that machines without one pay nothing: NVENC needs
 * the NVIDIA driver's control node on Linux; VAAPI and QSV a DRM render node. Elsewhere (Windows)
 * the test encode decides.
 */
export const findDevice: DeviceFinder = (kind) => {
  if (process.platform === 'win32') return kind === 'vaapi' ? null : 'default';
  if (process.platform !== 'linux') return null;
  if (kind === 'nvenc') return existsSync('/dev/nvidiactl') ? 'default' : null;
  return renderNode();
};

/** A one-frame encode of a generated picture with the encoder's real options. */
export function testEncodeArgs(enc: VideoEncoder): string[] {
  const settings = { profile: 'standard', crf: 28, preset: 'medium', audioBitrateKbps: 128 } as const;
  return [
    ...encoderGlobalArgs(enc),
    ...['-f', 'lavfi', '-i', 'color=c=gray:s=256x144:r=30:d=0.04'],
    ...['-frames:v', '1', ...encoderArgs(enc, settings), '-f', 'null', '-'],
  ];
}

/**
 * What this ffmpeg can encode, and which hardware encoders work here. Build one per process (or per
 * render) and pass it in: the encoder list and each test encode's outcome are kept for its lifetime.
 */
export class EncoderCatalog {
  readonly #ff: Ffmpeg;
  readonly #findDevice: DeviceFinder;
  readonly #tried = new Map<string, Promise<string | null>>();
  readonly #list: (() => Promise<readonly EncoderInfo[]>) | undefined;

  constructor(
    ff: Ffmpeg,
    deps: { findDevice?: DeviceFinder; list?: () => Promise<readonly EncoderInfo[]> } = {},
  ) {
    this.#ff = ff;
    this.#findDevice = deps.findDevice ?? findDevice;
    this.#list = deps.list;
  }

  /** The encoders ffmpeg lists. */
  encoders(): Promise<readonly EncoderInfo[]> {
    return this.#list ? this.#list() : listEncoders(this.#ff);
  }

  readonly #probe: HardwareProbe = {
    device: async (kind) => this.#findDevice(kind),
    tryEncode: (enc) => {
      const key = `${enc.name}@${enc.device}`;
      let tried = this.#tried.get(key);
      if (!tried) {
        tried = runFfmpeg(this.#ff, testEncodeArgs(enc), { signal: AbortSignal.timeout(15_000) }).then(
          () => null,
          (e: unknown) => (isReelforgeError(e) ? e.message : String(e)),
        );
        this.#tried.set(key, tried);
      }
      return tried;
    },
  };

  /** The video encoder for a request (see chooseVideoEncoder). */
  async videoEncoder(req: VideoEncoderRequest): Promise<VideoEncoder> {
    return chooseVideoEncoder(req, await this.encoders(), this.#probe, this.#ff.version);
  }

  /** The audio encoder of a format, or null when it has no sound. */
  async audioEncoder(format: OutputFormat): Promise<string | null> {
    return chooseAudioEncoder(format, await this.encoders());
  }

  /** Everything an output needs: its video encoder (hardware or software), audio encoder and settings. */
  async forOutput(
    output: Output,
    size: { width: number; height: number },
    profile: QualityProfileName = output.profile,
  ): Promise<OutputEncoding> {
    const codec = outputCodec(output);
    const settings = encoderSettings({ ...output, profile }, codec ?? 'h264');
    const info = formats[output.format];
    const wantsVideo = codec !== null && info.kind !== 'audio';
    const video = wantsVideo
      ? await this.videoEncoder({
          format: output.format,
          codec,
          hardware: output.hardware,
          alpha: output.alpha,
          ...size,
        })
      : null;
    return { video, audio: await this.audioEncoder(output.format), settings };
  }
}
