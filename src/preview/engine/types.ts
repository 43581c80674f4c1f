import type { Ffmpeg } from '../../media/index.js';
import type { Timeline } from '../../timeline/schema.js';

/** Preview quality levels, cheapest first. */
export const QUALITIES = ['wireframe', 'preview', 'high', 'full'] as const;
export type Quality = (typeof QUALITIES)[number];
export type FrameFormat = 'jpeg' | 'webp' | 'png';

export interface FrameJob {
  /**
   * A validated timeline whose media `src` fields are absolute local paths (the server resolves
   * asset:<id>). Treated as immutable: what is derived from it (keys, hashes) is memoised per object,
   * so an edit must be a new object.
   */
  timeline: Timeline;
  /** Seconds. */
  time: number;
  quality: Quality;
  format: FrameFormat;
  /** Aborted when the request became stale (latest-wins); the render is dropped, the promise rejects with RENDER_CANCELLED. */
  signal?: AbortSignal;
  /** Skip the cache lookup (benchmarks measuring uncached latency). */
  noCache?: boolean;
}

export interface FrameResult {
  bytes: Buffer;
  width: number;
  height: number;
  format: FrameFormat;
  quality: Quality;
  time: number;
  cacheHit: boolean;
  renderMs: number;
  /** Set when the breaker is open or rendering failed: bytes are a wireframe frame instead, and why. */
  degraded?: { reason: string };
}

export interface FrameServiceOptions {
  /** Worker threads; default: the cores (os.availableParallelism()). */
  workers?: number;
  /** Frame cache size; default 256 MB. */
  cacheBytes?: number;
  breaker?: { failureThreshold?: number; openMs?: number; timeoutMs?: number };
  /** Low-resolution proxy for a video file, used at `preview` quality; null = use the original. */
  proxyFor?: (path: string) => string | null;
  ffmpeg: Ffmpeg;
  /** Milliseconds clock for the breaker (tests inject a fake one); default performance.now. */
  now?: () => number;
}

export interface CacheStats {
  entries: number;
  bytes: number;
  maxBytes: number;
  hits: number;
  misses: number;
  evictions: number;
  hitRate: number;
}

export interface FrameServiceStats {
  cache: CacheStats;
  breaker: { state: 'closed' | 'open' | 'half-open'; failures: number; opens: number };
  pool: { workers: number; busy: number; queued: number; rendered: number };
}
