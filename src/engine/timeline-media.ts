import { access } from 'node:fs/promises';
import { type Ffmpeg, type MediaInfo, probe } from '../media/index.js';
import { assertTimelineMedia } from '../timeline/check-timeline-media.js';
import type { Timeline } from '../timeline/schema.js';
import {
  clipDurationFromSource,
  clipKey,
  clipDuration as declaredDuration,
  timelineDuration,
} from '../timeline/time.js';
import { resolveSrc } from './renderer.js';

/** A timeline's media, probed, and its length; no picture decoded. */
export interface TimelineMedia {
  media: Map<string, MediaInfo>;
  duration: number;
  resolve(src: string): string;
}

/**
 * Checks and probes every media file of a timeline and resolves its length — what an audio-only
 * export and the coordinator of a chunked render need, without the cost of preparing pictures.
 * Resolves lengths like `Renderer.prepare()`; pictures are only probed, not decoded.
 */
export async function probeTimelineMedia(
  timeline: Timeline,
  opts: { ff: Ffmpeg; baseDir: string; signal?: AbortSignal | undefined },
): Promise<TimelineMedia> {
  const media = new Map<string, MediaInfo>();
  const resolve = (src: string) => resolveSrc(opts.baseDir, src);
  await assertTimelineMedia(
    timeline,
    {
      resolvePath: resolve,
      exists: (p) =>
        access(p).then(
          () => true,
          () => false,
        ),
      probe: async (p) => {
        const info = await probe(opts.ff, p, { signal: opts.signal });
        media.set(p, info);
        return info;
      },
    },
    { signal: opts.signal },
  );
  const durations = new Map<string, number>();
  timeline.tracks.forEach((track, ti) => {
    track.clips.forEach((clip, ci) => {
      if (declaredDuration(clip) !== undefined || (clip.type === 'audio' && clip.loop)) return;
      if (clip.type !== 'video' && clip.type !== 'audio') return;
      const info = media.get(resolve(clip.src));
      const src =
        (clip.type === 'video' ? info?.durationSec : (info?.audio?.durationSec ?? info?.durationSec)) ?? 0;
      durations.set(clipKey(ti, ci), clipDurationFromSource(clip, src));
    });
  });
  return { media, duration: timelineDuration(timeline, durations), resolve };
}
