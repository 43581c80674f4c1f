import { type ErrorCode, ReelforgeError } from '../../errors.js';
import type { Timeline } from '../../timeline/schema.js';
import type { FrameFormat } from './types.js';

/** The engine's effects level a worker renders at (`wireframe` never reaches a worker). */
export type RenderLevel = 'preview' | 'high' | 'full';

/** What a frame worker is started with. */
export interface WorkerInit {
  ffmpeg: { ffmpegPath: string; ffprobePath: string; version: string; major: number; protocols: string[] };
  /** Warm Renderers kept per worker (LRU). */
  renderers: number;
  /** Bytes of probe results and prepared pictures the worker's Renderers share (engine RenderCache). */
  sharedCacheBytes: number;
}

/** Which warm Renderer serves a task: the same timeline at the same scale and level. */
export interface RendererSpec {
  key: string;
  timeline: Timeline;
  scale: number;
  level: RenderLevel;
}

export type ToWorker =
  | { type: 'frame'; id: number; renderer: RendererSpec; time: number; format: FrameFormat }
  | { type: 'strip'; id: number; renderer: RendererSpec; count: number; format: FrameFormat }
  | { type: 'close' };

export interface WireFrame {
  /** Encoded picture; its buffer is transferred, not copied. */
  bytes: Uint8Array;
  width: number;
  height: number;
  time: number;
}

export interface WireError {
  code: ErrorCode;
  message: string;
  retryable: boolean;
}

export type FromWorker =
  | { type: 'done'; id: number; frames: WireFrame[]; renderMs: number }
  | { type: 'failed'; id: number; error: WireError };

export function errorToWire(e: unknown): WireError {
  if (e instanceof ReelforgeError) return { code: e.code, message: e.message, retryable: e.retryable };
  return { code: 'RENDER_FAILED', message: e instanceof Error ? e.message : String(e), retryable: true };
}

export function errorFromWire(w: WireError): ReelforgeError {
  return new ReelforgeError(w.code, w.message, { retryable: w.retryable });
}
