import type { ErrorCode } from '../../errors.js';
import { ReelforgeError } from '../../errors.js';
import type { EncoderSettings } from '../../timeline/profiles.js';
import type { Timeline } from '../../timeline/schema.js';
import type { VideoEncoder } from '../encoders.js';
import type { FrameRange } from '../frame-pump.js';

/** What every chunk of one render is written as. */
export type ChunkOutput =
  | { kind: 'video'; muxer: string; extension: string; video: VideoEncoder; settings: EncoderSettings }
  | { kind: 'images'; extension: string; settings: EncoderSettings; prefix: string };

/** Everything a chunk process needs to render its frames like the coordinator would. */
export interface ChunkJob {
  timeline: Timeline;
  baseDir: string;
  scale: number | undefined;
  kernels: 'native' | 'javascript';
  ffmpeg: { ffmpegPath: string; ffprobePath: string; protocols: readonly string[] };
  alpha: boolean;
  output: ChunkOutput;
  /** The folder chunk files are written into. */
  folder: string;
}

/** Coordinator → chunk process. */
export type ToWorker =
  | { type: 'init'; job: ChunkJob }
  | { type: 'chunk'; index: number; range: FrameRange }
  | { type: 'close' };

/** An error as it crosses the process boundary. */
export interface WireError {
  code: ErrorCode;
  message: string;
  status: number;
  retryable: boolean;
  details?: unknown;
}

/** Chunk process → coordinator. */
export type FromWorker =
  | { type: 'ready'; kernels: string }
  | { type: 'progress'; index: number; sent: number }
  | { type: 'done'; index: number; reused: number }
  | { type: 'failed'; error: WireError };

/** The file chunk `index` is written to (relative to the chunk folder: the concat list needs that). */
export function chunkFileName(index: number, extension: string): string {
  return `chunk-${String(index).padStart(5, '0')}${extension}`;
}

/** A ReelforgeError (or anything thrown) as plain data. */
export function toWire(e: unknown): WireError {
  if (e instanceof ReelforgeError)
    return {
      code: e.code,
      message: e.message,
      status: e.status,
      retryable: e.retryable,
      details: e.meta.details,
    };
  return {
    code: 'RENDER_FAILED',
    message: e instanceof Error ? e.message : String(e),
    status: 500,
    retryable: true,
  };
}

/** The error again, on the coordinator's side. */
export function fromWire(w: WireError): ReelforgeError {
  return new ReelforgeError(w.code, w.message, {
    status: w.status,
    retryable: w.retryable,
    details: w.details,
  });
}
