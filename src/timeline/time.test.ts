import { describe, expect, it } from 'vitest';
import { isReelforgeError } from '../errors.js';
import {
  clipDurationFromSource,
  clipEnd,
  clipKey,
  fpsRational,
  fpsText,
  frameAt,
  frameCount,
  frameTime,
  timelineDuration,
} from './time.js';
import { parseTimeline } from './validate.js';

describe('fpsRational', () => {
  it('keeps whole rates whole and recognises the NTSC family', () => {
    expect(fpsRational(30)).toEqual({ num: 30, den: 1 });
    expect(fpsRational(29.97)).toEqual({ num: 30000, den: 1001 });
    expect(fpsRational(23.976)).toEqual({ num: 24000, den: 1001 });
    expect(fpsRational(59.94)).toEqual({ num: 60000, den: 1001 });
    expect(fpsRational(30000 / 1001)).toEqual({ num: 30000, den: 1001 });
    expect(fpsText(29.97)).toBe('30000/1001');
    expect(fpsText(25)).toBe('25');
  });

  it('writes other rates as small fractions', () => {
    expect(fpsRational(12.5)).toEqual({ num: 25, den: 2 });
    expect(fpsRational(0.5)).toEqual({ num: 1, den: 2 });
  });

  it('refuses a rate that is not positive', () => {
    expect(() => fpsRational(0)).toThrow(/output.fps/);
  });
});

describe('frame math', () => {
  it('counts frames as round(duration · fps), at least 1', () => {
    expect(frameCount(10, 30)).toBe(300);
    expect(frameCount(0.001, 30)).toBe(1);
    expect(frameCount(1.01, 30)).toBe(30);
    expect(frameCount(3600, 29.97)).toBe(107892);
  });

  it('puts frame i at exactly i / fps', () => {
    expect(frameTime(0, 30)).toBe(0);
    expect(frameTime(45, 30)).toBe(1.5);
    expect(frameTime(30000, 29.97)).toBe(1001);
    expect(frameTime(1, 29.97)).toBe(1001 / 30000);
  });

  it('finds the frame showing at a time', () => {
    expect(frameAt(0, 30)).toBe(0);
    expect(frameAt(1 / 30 - 1e-4, 30)).toBe(0);
    expect(frameAt(0.1, 30)).toBe(3);
    expect(frameAt(-1, 30)).toBe(0);
  });

  it('does not drift over an hour at 29.97 fps', () => {
    const fps = 29.97;
    const frames = frameCount(3600, fps);
    let previous = -1;
    for (let i = 0; i < frames; i++) {
      const t = frameTime(i, fps);
      expect(frameAt(t, fps)).toBe(i);
      expect(t).toBeGreaterThan(previous);
      previous = t;
    }
    // The last frame starts exactly where the rational rate puts it: 107891 · 1001 / 30000 s.
    expect(frameTime(frames - 1, fps)).toBe((107891 * 1001) / 30000);
    expect(frameAt(3600, fps)).toBe(107892);
    // Every 30000 frames is exactly 1001 seconds, however far into the video.
    expect(frameTime(90000, fps) - frameTime(60000, fps)).toBe(1001);
  });
});

describe('timelineDuration', () => {
  const timeline = parseTimeline({
    output: { width: 640, height: 360 },
    tracks: [
      {
        clips: [
          { type: 'image', src: 'a.jpg', start: 0, duration: 3 },
          { type: 'video', src: 'v.mp4', start: 3 },
        ],
      },
      {
        clips: [
          { type: 'video', src: 'w.mp4', start: 1, trimStart: 2, trimEnd: 6, speed: 2 },
          { type: 'audio', src: 'm.mp3', start: 0, loop: true },
        ],
      },
    ],
  });

  it('ends with the last clip, using resolved durations where the clip has none', () => {
    expect(timelineDuration(timeline, new Map([[clipKey(0, 1), 4]]))).toBe(7);
    expect(timelineDuration(timeline, { '0.1': 0.5 })).toBe(3.5);
  });

  it('prefers output.duration', () => {
    const cut = { ...timeline, output: { ...timeline.output, duration: 2 } };
    expect(timelineDuration(cut)).toBe(2);
  });

  it('throws TIMELINE_DURATION_UNRESOLVED naming the clip when a duration is missing', () => {
    try {
      timelineDuration(timeline);
      expect.unreachable();
    } catch (e) {
      expect(isReelforgeError(e, 'TIMELINE_DURATION_UNRESOLVED')).toBe(true);
      expect((e as Error).message).toMatch(
        /^tracks\[0\]\.clips\[1\]: the video clip \("v.mp4"\) has no duration/,
      );
    }
  });
});

describe('clip durations', () => {
  const [image, video, audio] =
    parseTimeline({
      output: { width: 640, height: 360 },
      tracks: [
        {
          clips: [
            { type: 'image', src: 'a.jpg', start: 2, duration: 3 },
            { type: 'video', src: 'v.mp4', start: 1, trimStart: 4, speed: 2 },
            { type: 'audio', src: 'm.mp3', start: 0, trimStart: 1.5 },
          ],
        },
      ],
    }).tracks[0]?.clips ?? [];

  it('computes clip ends', () => {
    expect(image && clipEnd(image)).toBe(5);
    expect(video && clipEnd(video, 3)).toBe(4);
    expect(() => video && clipEnd(video)).toThrow(/no duration/);
  });

  it('derives a duration from the source length, trim and speed', () => {
    expect(video && clipDurationFromSource(video, 10)).toBe(3);
    expect(video && clipDurationFromSource(video, 2)).toBe(0);
    expect(audio && clipDurationFromSource(audio, 10)).toBe(8.5);
  });
});
