import { describe, expect, it } from 'vitest';
import { didYouMean, didYouMeanSuffix, editDistance } from './did-you-mean.js';

describe('editDistance', () => {
  it('counts insertions, deletions, substitutions and swaps as one edit each', () => {
    expect(editDistance('color', 'color')).toBe(0);
    expect(editDistance('colour', 'color')).toBe(1);
    expect(editDistance('imgae', 'image')).toBe(1);
    expect(editDistance('cvoer', 'cover')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('abc', '')).toBe(3);
  });

  it('is symmetric', () => {
    for (const [a, b] of [
      ['transitionIn', 'transitonIn'],
      ['fadeout', 'fadeOut'],
      ['x', 'yz'],
    ] as const) {
      expect(editDistance(a, b)).toBe(editDistance(b, a));
    }
  });
});

describe('didYouMean', () => {
  it('suggests the closest candidate within reach', () => {
    expect(didYouMean('cvoer', ['cover', 'contain', 'fill'])).toBe('cover');
    expect(didYouMean('imgae', ['image', 'video', 'color', 'gradient', 'text', 'audio'])).toBe('image');
    expect(didYouMean('transitonOut', ['transitionIn', 'transitionOut'])).toBe('transitionOut');
    expect(didYouMean('FadeIn', ['fadeIn', 'fadeOut'])).toBe('fadeIn');
  });

  it('suggests nothing when nothing is close', () => {
    expect(didYouMean('zzz', ['interpolation', 'cameraSpeed', 'grade'])).toBeUndefined();
    expect(didYouMean('banana', ['cover', 'contain', 'fill'])).toBeUndefined();
  });

  it('formats a suffix only for strings with a match', () => {
    expect(didYouMeanSuffix('colr', ['color'])).toBe(' (did you mean "color"?)');
    expect(didYouMeanSuffix(5, ['color'])).toBe('');
    expect(didYouMeanSuffix('qqqq', ['color'])).toBe('');
  });
});
