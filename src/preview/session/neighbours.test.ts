import { describe, expect, it } from 'vitest';
import { neighbourTimes } from './neighbours.js';

describe('neighbourTimes', () => {
  it('lists ±1 and ±2 frames and ±1 s on the frame grid, nearest first', () => {
    expect(neighbourTimes(2, 10, null)).toEqual([2.1, 1.9, 2.2, 1.8, 3, 1]);
    // Off the grid: the frame showing at 2.04 s is the one at 2.0 s.
    expect(neighbourTimes(2.04, 10, null)).toEqual([2.1, 1.9, 2.2, 1.8, 3, 1]);
  });

  it('stays inside the timeline', () => {
    expect(neighbourTimes(0, 10, 0.5)).toEqual([0.1, 0.2]);
    expect(neighbourTimes(0.4, 10, 0.5)).toEqual([0.3, 0.2]);
  });
});
