import { describe, expect, it } from 'vitest';
import { parseTimeline, type TimelineInput } from '../../timeline/index.js';
import {
  blurAmount,
  LEVEL_RADII,
  layerDof,
  levelPosition,
  levelSigma,
  levelsOf,
  trackDepths,
} from './depth-of-field.js';

const img = { type: 'image' as const, src: 'a.png', start: 0, duration: 4 };

function tl(tracks: TimelineInput['tracks'], params: TimelineInput['params'] = {}) {
  return parseTimeline({ output: { width: 160, height: 90 }, params, tracks });
}

describe('depth of field', () => {
  it('spreads default track depths from far (bottom) to near (top), skipping audio tracks', () => {
    const t = tl([
      { clips: [img] },
      { clips: [{ type: 'audio', src: 'm.wav', start: 0 }] },
      { clips: [img] },
      { clips: [img] },
    ]);
    expect(trackDepths(t)).toEqual([1, 0.5, 0.5, 0]);
    expect(trackDepths(tl([{ clips: [img] }]))).toEqual([0]);
    expect(trackDepths(tl([{ clips: [img], depth: 0.3 }, { clips: [img] }]))).toEqual([0.3, 0]);
  });

  it('is off unless params.depthOfField is given and enabled', () => {
    const clip = { ...img, depth: 1 };
    const off = tl([{ clips: [clip] }]);
    expect(layerDof(off, off.tracks[0]!.clips[0] as never, 0, 1)).toBeNull();
    const disabled = tl([{ clips: [clip] }], { depthOfField: { enabled: false } });
    expect(layerDof(disabled, disabled.tracks[0]!.clips[0] as never, 0, 1)).toBeNull();
  });

  it('takes the clip depth over the track depth and a rack focus from keyframes in timeline time', () => {
    const t = tl(
      [
        {
          clips: [
            {
              ...img,
              start: 2,
              depth: [
                { t: 0, value: 0.2 },
                { t: 2, value: 0.6 },
              ],
            },
          ],
        },
      ],
      {
        depthOfField: {
          focus: [
            { t: 0, value: 0 },
            { t: 4, value: 1 },
          ],
          strength: 0.8,
        },
      },
    );
    const clip = t.tracks[0]!.clips[0] as never;
    expect(layerDof(t, clip, 1, 3)).toEqual({ depth: 0.4, focus: 0.75, strength: 0.8 });
  });

  it('blurs in proportion to the distance from focus, scaled by strength', () => {
    expect(blurAmount(0.5, 0.5, 1)).toBe(0);
    expect(blurAmount(1, 0, 0.5)).toBe(0.5);
    expect(blurAmount(0, 0.75, 1)).toBe(0.75);
  });

  it('finds the two nearest blur levels and the fraction between them', () => {
    expect(levelPosition(0)).toBe(0);
    expect(levelPosition(levelSigma(3))).toBe(3 << 8);
    const mid = (levelSigma(2) + levelSigma(3)) / 2;
    expect(levelPosition(mid)).toBe((2 << 8) | 128);
    expect(levelsOf(levelPosition(mid))).toEqual([2, 3]);
    expect(levelsOf(3 << 8)).toEqual([3]);
    const last = LEVEL_RADII.length - 1;
    expect(levelPosition(1e6)).toBe(last << 8);
    // Monotonic: more sigma never picks a sharper mix.
    let prev = -1;
    for (let s = 0; s < 80; s += 0.05) {
      expect(levelPosition(s)).toBeGreaterThanOrEqual(prev);
      prev = levelPosition(s);
    }
  });
});
