import { createHash } from 'node:crypto';
import type { Timeline } from '../../timeline/schema.js';
import { timelineHash } from './frame-key.js';
import { indexTimeline } from './timeline-index.js';
import type { RendererSpec, RenderLevel } from './worker-protocol.js';

/** Rendered height each quality aims at (never above the output's own). */
const TARGET_HEIGHT: Record<RenderLevel, number> = {
  preview: 480,
  high: 720,
  full: Number.POSITIVE_INFINITY,
};

/** The Renderer scale for a quality: 480p for preview, 720p for high, the output size for full. */
export function qualityScale(timeline: Timeline, level: RenderLevel): number {
  return Math.min(1, TARGET_HEIGHT[level] / timeline.output.height);
}

/** The warm Renderer a frame needs: this timeline at this level and scale. */
export function rendererSpec(
  timeline: Timeline,
  level: RenderLevel,
  scale = qualityScale(timeline, level),
): RendererSpec {
  return { key: `${timelineHash(timeline)}:${level}:${scale}`, timeline, scale, level };
}

/**
 * Which worker should render: one that has these media files prepared. Keyed by the media a
 * timeline reads rather than the whole timeline, so an edited version (params, titles, timing) goes
 * where its pictures already are in the worker's shared cache.
 */
export function affinityKey(spec: RendererSpec): string {
  const index = indexTimeline(spec.timeline);
  index.mediaHash ??= createHash('sha1').update(index.media.join('\0')).digest('base64url');
  return `${index.mediaHash}:${spec.level}:${spec.scale}`;
}

/** Swaps video sources for their low-resolution proxies (memoised per timeline object). */
export class Proxies {
  readonly #proxyFor: ((path: string) => string | null) | undefined;
  readonly #memo = new WeakMap<Timeline, Timeline>();

  constructor(proxyFor: ((path: string) => string | null) | undefined) {
    this.#proxyFor = proxyFor;
  }

  /** The timeline with every video clip that has a proxy reading it; the same object when none has. */
  apply(timeline: Timeline): Timeline {
    const proxyFor = this.#proxyFor;
    if (!proxyFor) return timeline;
    const memo = this.#memo.get(timeline);
    if (memo) return memo;
    let changed = false;
    const tracks = timeline.tracks.map((track) => ({
      ...track,
      clips: track.clips.map((clip) => {
        if (clip.type !== 'video') return clip;
        const proxy = proxyFor(clip.src);
        if (!proxy || proxy === clip.src) return clip;
        changed = true;
        return { ...clip, src: proxy };
      }),
    }));
    const out = changed ? { ...timeline, tracks } : timeline;
    this.#memo.set(timeline, out);
    return out;
  }
}
