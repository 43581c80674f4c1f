import { ReelforgeError } from '../../errors.js';
import type { Timeline } from '../../timeline/schema.js';
import type { FrameFormat, FrameJob, FrameResult, FrameServiceOptions, FrameServiceStats } from './types.js';

/** Renders preview frames (work in progress: the API is final, the implementation follows). */
export class FrameService {
  readonly #options: FrameServiceOptions;
  constructor(options: FrameServiceOptions) {
    this.#options = options;
  }

  render(_job: FrameJob): Promise<FrameResult> {
    return Promise.reject(new ReelforgeError('INTERNAL', 'FrameService.render is not implemented yet'));
  }

  /** Thumbnails along the timeline: `count` frames evenly spaced, `width` px wide (preview quality). */
  strip(
    _timeline: Timeline,
    _opts: { count: number; width: number; format: FrameFormat; signal?: AbortSignal },
  ): Promise<FrameResult[]> {
    return Promise.reject(new ReelforgeError('INTERNAL', 'FrameService.strip is not implemented yet'));
  }

  /** Drops cached frames the change affects; returns how many entries were dropped. */
  invalidate(_previous: Timeline, _next: Timeline): number {
    return 0;
  }

  stats(): FrameServiceStats {
    return {
      cache: {
        entries: 0,
        bytes: 0,
        maxBytes: this.#options.cacheBytes ?? 256 * 1024 * 1024,
        hits: 0,
        misses: 0,
        evictions: 0,
        hitRate: 0,
      },
      breaker: { state: 'closed', failures: 0, opens: 0 },
      pool: { workers: 0, busy: 0, queued: 0, rendered: 0 },
    };
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
