import { describe, expect, it } from 'vitest';
import { adjustFor, cameraAt, transitionProgress, transitionWindow, valueAt } from './animate.js';
import { ease } from './easing.js';
import type { Camera, Transition } from './schema.js';

describe('valueAt', () => {
  const keys = [
    { t: 1, value: 10 },
    { t: 3, value: 20, easing: 'hold' as const },
    { t: 5, value: 0 },
  ];

  it('returns a plain number as it is', () => {
    expect(valueAt(0.5, 100)).toBe(0.5);
  });

  it('holds the first value before the first key and the last after the last', () => {
    expect(valueAt(keys, 0)).toBe(10);
    expect(valueAt(keys, 1)).toBe(10);
    expect(valueAt(keys, 5)).toBe(0);
    expect(valueAt(keys, 99)).toBe(0);
  });

  it('interpolates linearly by default and with the easing of the segment start otherwise', () => {
    expect(valueAt(keys, 2)).toBe(15);
    expect(valueAt(keys, 4.99)).toBe(20);
    const eased = [
      { t: 0, value: 0, easing: 'ease-in' as const },
      { t: 2, value: 100 },
    ];
    expect(valueAt(eased, 0.5)).toBeCloseTo(100 * ease('ease-in', 0.25), 9);
  });

  it('jumps at two keys with the same t', () => {
    const jump = [
      { t: 0, value: 0 },
      { t: 1, value: 1 },
      { t: 1, value: 5 },
      { t: 2, value: 5 },
    ];
    expect(valueAt(jump, 0.5)).toBe(0.5);
    expect(valueAt(jump, 1)).toBe(5);
  });

  it('finds the segment among many keys', () => {
    const many = Array.from({ length: 1000 }, (_, i) => ({ t: i, value: i * 2 }));
    expect(valueAt(many, 500.25)).toBeCloseTo(1000.5, 9);
  });
});

describe('cameraAt', () => {
  const move: Camera = {
    from: { zoom: 1, x: 0.5, y: 0.5 },
    to: { zoom: 2, x: 0.7, y: 0.4 },
    easing: 'linear',
  };

  it('stays still without a camera', () => {
    expect(cameraAt(undefined, 4, 2, 1)).toEqual({ zoom: 1, x: 0.5, y: 0.5 });
  });

  it('moves from → to over the clip', () => {
    expect(cameraAt(move, 4, 0)).toEqual({ zoom: 1, x: 0.5, y: 0.5 });
    const mid = cameraAt(move, 4, 2);
    expect(mid.zoom).toBeCloseTo(1.5, 12);
    expect(mid.x).toBeCloseTo(0.6, 12);
    expect(mid.y).toBeCloseTo(0.45, 12);
    expect(cameraAt(move, 4, 4).zoom).toBeCloseTo(2, 12);
    expect(cameraAt(move, 4, 10).zoom).toBeCloseTo(2, 12);
  });

  it('does not move at cameraSpeed 0', () => {
    expect(cameraAt(move, 4, 3, 0)).toEqual({ zoom: 1, x: 0.5, y: 0.5 });
  });

  it('travels as written at cameraSpeed 1 and twice as far at 2', () => {
    const one = cameraAt(move, 4, 4, 1);
    const two = cameraAt(move, 4, 4, 2);
    expect(one.zoom).toBeCloseTo(2, 12);
    expect(two.zoom).toBeCloseTo(4, 12);
    expect(two.x).toBeCloseTo(0.9, 12);
    expect(two.y).toBeCloseTo(0.3, 12);
  });

  it('scales from the first keyframe and follows keyframes like valueAt', () => {
    const keys: Camera = {
      keyframes: [
        { t: 0, zoom: 2, x: 0.5, y: 0.5 },
        { t: 2, zoom: 3, x: 0.4, y: 0.5, easing: 'linear' },
        { t: 4, zoom: 1.5, x: 0.5, y: 0.6 },
      ],
    };
    expect(cameraAt(keys, 4, 1).zoom).toBeCloseTo(2.5, 12);
    expect(cameraAt(keys, 4, 2, 0.5).zoom).toBeCloseTo(2 * Math.sqrt(1.5), 12);
    expect(cameraAt(keys, 4, 3, 0)).toEqual({ zoom: 2, x: 0.5, y: 0.5 });
  });

  it('keeps zoom at least 1 and x, y inside the picture', () => {
    const out: Camera = { from: { zoom: 2, x: 0.5, y: 0.5 }, to: { zoom: 1, x: 1, y: 0 }, easing: 'linear' };
    expect(cameraAt(out, 2, 2, 3)).toEqual({ zoom: 1, x: 1, y: 0 });
  });

  it('applies the easing of a from → to move', () => {
    const eased: Camera = { ...move, easing: 'ease-in-out' };
    expect(cameraAt(eased, 4, 1).zoom).toBeCloseTo(1 + ease('ease-in-out', 0.25), 12);
  });
});

describe('transitionWindow', () => {
  const tr: Transition = {
    type: 'crossfade',
    duration: 2,
    color: '#000000',
    direction: 'left',
    easing: 'linear',
  };

  it('covers the written window at interpolation 1', () => {
    expect(transitionWindow(tr, 10, 6, 'in', 1)).toEqual({ start: 10, end: 12, duration: 2 });
    expect(transitionWindow(tr, 10, 6, 'out', 1)).toEqual({ start: 14, end: 16, duration: 2 });
  });

  it('halves around the middle at interpolation 0.5', () => {
    expect(transitionWindow(tr, 10, 6, 'in', 0.5)).toEqual({ start: 10.5, end: 11.5, duration: 1 });
    expect(transitionWindow(tr, 10, 6, 'out', 0.5)).toEqual({ start: 14.5, end: 15.5, duration: 1 });
  });

  it('becomes a hard cut at the middle at interpolation 0', () => {
    expect(transitionWindow(tr, 10, 6, 'in', 0)).toEqual({ start: 11, end: 11, duration: 0 });
    expect(transitionWindow(tr, 10, 6, 'out', 0)).toEqual({ start: 15, end: 15, duration: 0 });
  });
});

describe('transitionProgress', () => {
  const tr: Transition = {
    type: 'fade',
    duration: 2,
    color: '#000000',
    direction: 'left',
    easing: 'ease-in',
  };

  it('runs 0 → 1 across the window with the transition easing', () => {
    expect(transitionProgress(tr, 10, 6, 'in', 1, 9)).toBe(0);
    expect(transitionProgress(tr, 10, 6, 'in', 1, 10)).toBe(0);
    expect(transitionProgress(tr, 10, 6, 'in', 1, 11)).toBeCloseTo(ease('ease-in', 0.5), 12);
    expect(transitionProgress(tr, 10, 6, 'in', 1, 12)).toBe(1);
    expect(transitionProgress(tr, 10, 6, 'out', 1, 15)).toBeCloseTo(ease('ease-in', 0.5), 12);
  });

  it('steps at the middle at interpolation 0', () => {
    expect(transitionProgress(tr, 10, 6, 'out', 0, 14.999)).toBe(0);
    expect(transitionProgress(tr, 10, 6, 'out', 0, 15)).toBe(1);
  });
});

describe('adjustFor', () => {
  it('is neutral without adjustments or at grade 0', () => {
    expect(adjustFor(undefined, 1)).toEqual({ brightness: 0, contrast: 1, saturation: 1 });
    expect(adjustFor({ brightness: 0.5, contrast: 2, saturation: 0 }, 0)).toEqual({
      brightness: 0,
      contrast: 1,
      saturation: 1,
    });
  });

  it('scales from neutral by grade', () => {
    expect(adjustFor({ brightness: 0.4, contrast: 2, saturation: 0 }, 1)).toEqual({
      brightness: 0.4,
      contrast: 2,
      saturation: 0,
    });
    expect(adjustFor({ brightness: 0.4, contrast: 2, saturation: 0 }, 0.5)).toEqual({
      brightness: 0.2,
      contrast: 1.5,
      saturation: 0.5,
    });
  });
});
