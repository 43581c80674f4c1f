import { describe, expect, it } from 'vitest';
import { isReelforgeError } from '../../errors.js';
import { type TimelineInput, timelineSchema } from '../../timeline/schema.js';
import { type AudioPlanContext, audioTimelineDuration, planAudio } from './audio-plan.js';

const sources: Record<string, { durationSec: number | null; hasAudio: boolean }> = {
  'music.wav': { durationSec: 10, hasAudio: true },
  'voice.wav': { durationSec: 3, hasAudio: true },
  'clip.mp4': { durationSec: 8, hasAudio: true },
  'silent.mp4': { durationSec: 6, hasAudio: false },
  'stream.wav': { durationSec: null, hasAudio: true },
};
const ctx: AudioPlanContext = {
  resolvePath: (src) => `/media/${src}`,
  mediaInfo: (path) => sources[path.slice('/media/'.length)] ?? { durationSec: null, hasAudio: false },
};

function tl(tracks: TimelineInput['tracks'], duration?: number) {
  return timelineSchema.parse({ output: { width: 64, height: 64, duration }, tracks });
}

describe('planAudio', () => {
  it('defaults an audio clip to the rest of its source and names tracks by id or index', () => {
    const plan = planAudio(
      tl([
        { clips: [{ type: 'audio', src: 'voice.wav', start: 1, trimStart: 0.5 }] },
        { id: 'fx', clips: [] },
      ]),
      ctx,
    );
    expect(plan.duration).toBe(3.5);
    expect(plan.segments).toHaveLength(1);
    expect(plan.segments[0]).toMatchObject({
      key: 't0.c0',
      trackId: 'track0',
      path: '/media/voice.wav',
      start: 1,
      duration: 2.5,
      trimStart: 0.5,
      speed: 1,
      volume: 1,
      loop: false,
      sourceDuration: 3,
    });
  });

  it('derives video clip durations from the source, trimEnd and speed', () => {
    const t = tl([
      {
        clips: [
          { type: 'video', src: 'clip.mp4', start: 0, trimStart: 2, speed: 2 },
          { type: 'video', src: 'clip.mp4', start: 10, trimStart: 1, trimEnd: 4, volume: 0.5 },
        ],
      },
    ]);
    const plan = planAudio(t, ctx);
    expect(plan.duration).toBe(13);
    expect(plan.segments.map((s) => [s.start, s.duration, s.trimStart, s.speed, s.volume])).toEqual([
      [0, 3, 2, 2, 1],
      [10, 3, 1, 1, 0.5],
    ]);
  });

  it('skips muted clips, silent sources and zero volume, which still set the length', () => {
    const t = tl([
      {
        clips: [
          { type: 'video', src: 'clip.mp4', start: 0, muted: true },
          { type: 'video', src: 'silent.mp4', start: 4 },
          { type: 'audio', src: 'voice.wav', start: 0, volume: 0 },
          { type: 'color', color: '#000', start: 0, duration: 1 },
        ],
      },
    ]);
    const plan = planAudio(t, ctx);
    expect(plan.segments).toEqual([]);
    expect(plan.duration).toBe(10);
  });

  it('loops to the end of the timeline without setting its length', () => {
    const t = tl([
      { id: 'music', clips: [{ type: 'audio', src: 'music.wav', start: 2, loop: true, fadeOut: 1 }] },
      { clips: [{ type: 'audio', src: 'voice.wav', start: 20 }] },
    ]);
    const plan = planAudio(t, ctx);
    expect(plan.duration).toBe(23);
    expect(plan.segments[0]).toMatchObject({ start: 2, duration: 21, loop: true, fadeOut: 1 });
  });

  it('refuses a timeline that nothing gives a length', () => {
    const t = tl([{ clips: [{ type: 'audio', src: 'music.wav', start: 0, loop: true }] }]);
    expect(() => planAudio(t, ctx)).toThrow(expect.objectContaining({ code: 'TIMELINE_INVALID' }));
  });

  it('plays a source of unknown length until the end of the timeline', () => {
    const t = tl([{ clips: [{ type: 'audio', src: 'stream.wav', start: 1 }] }], 5);
    expect(planAudio(t, ctx).segments[0]).toMatchObject({ start: 1, duration: 4, sourceDuration: null });
  });

  it('cuts clips at output.duration', () => {
    const plan = planAudio(tl([{ clips: [{ type: 'audio', src: 'music.wav', start: 0 }] }], 4), ctx);
    expect(plan).toMatchObject({ duration: 4, segments: [{ duration: 4 }] });
  });

  it('keeps duck settings', () => {
    const t = tl([
      { clips: [{ type: 'audio', src: 'music.wav', start: 0, duck: { track: 'voice', level: 0.2 } }] },
    ]);
    expect(planAudio(t, ctx).segments[0]?.duck).toEqual({
      track: 'voice',
      level: 0.2,
      attack: 0.1,
      release: 0.5,
    });
  });
});

describe('planAudio with a range', () => {
  const faded = tl([
    {
      clips: [
        { type: 'audio', src: 'music.wav', start: 1, duration: 8, fadeIn: 2, fadeOut: 2, trimStart: 1 },
      ],
    },
    { clips: [{ type: 'audio', src: 'voice.wav', start: 0 }] },
  ]);

  it('drops clips outside the range and places the rest relative to its start', () => {
    const plan = planAudio(faded, ctx, { from: 3.5, to: 5 });
    expect(plan.duration).toBe(1.5);
    expect(plan.segments.map((s) => s.key)).toEqual(['t0.c0']);
    expect(plan.segments[0]).toMatchObject({
      start: 0,
      duration: 1.5,
      trimStart: 3.5,
      fadeIn: 0,
      fadeOut: 0,
    });
  });

  it('keeps the part of a fade-in the range cuts, as a partial ramp', () => {
    const [s] = planAudio(faded, ctx, { from: 2, to: 2.5 }).segments;
    expect(s).toMatchObject({
      start: 0,
      duration: 0.5,
      trimStart: 2,
      fadeIn: 0.5,
      fadeInFrom: 0.5,
      fadeInTo: 0.75,
    });
    const [whole] = planAudio(faded, ctx).segments;
    expect(whole).toMatchObject({
      fadeIn: 2,
      fadeInFrom: 0,
      fadeInTo: 1,
      fadeOut: 2,
      fadeOutFrom: 1,
      fadeOutTo: 0,
    });
  });

  it('keeps the part of a fade-out the range cuts', () => {
    const [s] = planAudio(faded, ctx, { from: 6, to: 8 }).segments;
    expect(s).toMatchObject({ start: 0, duration: 2, fadeIn: 0, fadeOut: 1, fadeOutFrom: 1, fadeOutTo: 0.5 });
    const [t] = planAudio(faded, ctx, { from: 8, to: 9 }).segments;
    expect(t).toMatchObject({ duration: 1, fadeOut: 1, fadeOutFrom: 0.5, fadeOutTo: 0 });
  });

  it('moves trimStart by the cut times the speed, modulo the source when looping', () => {
    const t = tl(
      [
        { clips: [{ type: 'video', src: 'clip.mp4', start: 0, speed: 2 }] },
        { clips: [{ type: 'audio', src: 'voice.wav', start: 0, loop: true, trimStart: 1 }] },
      ],
      30,
    );
    const plan = planAudio(t, ctx, { from: 2.5, to: 30 });
    expect(plan.segments.map((s) => [s.start, s.duration, s.trimStart])).toEqual([
      [0, 1.5, 5],
      [0, 27.5, 0.5],
    ]);
  });

  it('lasts exactly the range, with silence past the end of the timeline', () => {
    const plan = planAudio(faded, ctx, { from: 8.5, to: 9.1 });
    expect(plan.duration).toBeCloseTo(0.6, 12);
    expect(plan.segments).toMatchObject([{ start: 0, duration: 0.5 }]);
  });

  it('rejects empty or inverted ranges', () => {
    for (const range of [
      { from: 2, to: 2 },
      { from: 3, to: 1 },
      { from: -1, to: 2 },
      { from: 50, to: 60 },
    ]) {
      let error: unknown;
      try {
        planAudio(faded, ctx, range);
      } catch (e) {
        error = e;
      }
      expect(isReelforgeError(error, 'RENDER_RANGE_INVALID')).toBe(true);
    }
  });

  it('agrees with audioTimelineDuration', () => {
    expect(audioTimelineDuration(faded, ctx)).toBe(9);
  });
});
