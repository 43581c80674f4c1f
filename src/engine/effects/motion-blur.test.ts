import { describe, expect, it } from 'vitest';
import { clipDuration, parseTimeline, type TimelineInput } from '../../timeline/index.js';
import { type LayerContext, layersAt } from '../layers.js';
import { poseDistance, SAMPLE_SPACING_PX, samplesFor, shutterTimes, withMotion } from './motion-blur.js';

const W = 160;
const H = 90;

function setup(tracks: TimelineInput['tracks']) {
  const tl = parseTimeline({ output: { width: W, height: H, duration: 4 }, tracks });
  const ctx: LayerContext = {
    width: W,
    height: H,
    pictureSize: () => ({ w: W, h: H }),
    clipDuration: (ref) => clipDuration(tl.tracks[ref.track]!.clips[ref.index]!) ?? 1,
  };
  return { tl, ctx };
}

const shutter = { fps: 30, shutter: 0.5, maxSamples: 8, adaptive: true };
const moving = (extra: object = {}) => ({
  type: 'color' as const,
  color: '#ff0000',
  start: 0,
  duration: 2,
  transform: {
    scale: 0.5,
    x: [
      { t: 0, value: 0 },
      { t: 2, value: 1 },
    ],
  },
  ...extra,
});

describe('shutter sampling', () => {
  it('spreads n instants evenly over the open shutter, centred on the frame time', () => {
    const ts = shutterTimes(1, 30, 0.5, 4); // 180°: open for 1/60 s
    expect(ts).toHaveLength(4);
    expect(ts[0]).toBeCloseTo(1 - 1 / 120 + 1 / 480, 12);
    expect(ts[3]).toBeCloseTo(1 + 1 / 120 - 1 / 480, 12);
    expect((ts[0]! + ts[3]!) / 2).toBeCloseTo(1, 12);
    expect(shutterTimes(1, 30, 0, 8)).toEqual([1]);
    expect(shutterTimes(1, 30, 1, 1)).toEqual([1]);
  });

  it('takes a sample per pixel of travel, none below a pixel, at most the quality’s maximum', () => {
    expect(samplesFor(0, 8, true)).toBe(1);
    expect(samplesFor(0.8, 8, true)).toBe(1);
    expect(samplesFor(0.8, 8, false)).toBe(1);
    expect(samplesFor(1.5 * SAMPLE_SPACING_PX, 8, true)).toBe(2);
    expect(samplesFor(5.2, 8, true)).toBe(6);
    expect(samplesFor(100, 8, true)).toBe(8);
    expect(samplesFor(1.5, 8, false)).toBe(8);
    expect(samplesFor(100, 1, true)).toBe(1);
  });
});

describe('withMotion', () => {
  it('gives a moving layer its poses and leaves still ones alone', () => {
    const { tl, ctx } = setup([
      { clips: [{ type: 'color', color: '#000000', start: 0, duration: 2 }] },
      { clips: [moving()] },
    ]);
    const layers = withMotion(tl, 1, layersAt(tl, 1, ctx), ctx, shutter);
    expect(layers[0]!.motion).toBeUndefined();
    const poses = layers[1]!.motion!;
    // 160 px in 2 s at a 1/60 s shutter: 1.33 px of travel → 2 samples.
    expect(poses).toHaveLength(2);
    expect(poseDistance(poses[0]!, poses[1]!)).toBeCloseTo(160 / 2 / 60 / 2, 6);
    expect(poses[0]!.forward[2]).toBeLessThan(layers[1]!.forward[2]);
    expect(poses[1]!.forward[2]).toBeGreaterThan(layers[1]!.forward[2]);
  });

  it('keeps a clip that opts out, and returns the same layers when the shutter is closed', () => {
    const { tl, ctx } = setup([{ clips: [moving({ motionBlur: false })] }]);
    const base = layersAt(tl, 1, ctx);
    expect(withMotion(tl, 1, base, ctx, shutter)).toBe(base);
    const { tl: tl2, ctx: ctx2 } = setup([{ clips: [moving()] }]);
    const base2 = layersAt(tl2, 1, ctx2);
    expect(withMotion(tl2, 1, base2, ctx2, { ...shutter, shutter: 0 })).toBe(base2);
    expect(withMotion(tl2, 1, base2, ctx2, { ...shutter, maxSamples: 1 })).toBe(base2);
  });

  it('samples only within the clip’s life, so a cut stays a cut', () => {
    const short = {
      scale: 0.5,
      x: [
        { t: 0, value: 0 },
        { t: 1, value: 1 },
      ],
    };
    const { tl, ctx } = setup([
      {
        clips: [
          moving({ duration: 1, transform: short }),
          moving({ start: 1, duration: 1, transform: short }),
        ],
      },
    ]);
    const at = withMotion(tl, 1, layersAt(tl, 1, ctx), ctx, { ...shutter, shutter: 1 });
    expect(at.map((l) => l.ref.key)).toEqual(['t0.c1']);
    // The first sample would fall before the clip starts: it is held at the clip's first instant.
    const poses = at[0]!.motion!;
    expect(poses[0]!.forward).toEqual(layersAt(tl, 1, ctx)[0]!.forward);
  });

  it('treats a transition that only changes opacity as still (no resampling)', () => {
    const { tl, ctx } = setup([
      {
        clips: [
          {
            type: 'color',
            color: '#ffffff',
            start: 0,
            duration: 2,
            transitionIn: { type: 'crossfade', duration: 2 },
          },
        ],
      },
    ]);
    const layers = layersAt(tl, 1, ctx);
    expect(withMotion(tl, 1, layers, ctx, shutter)).toBe(layers);
  });
});
