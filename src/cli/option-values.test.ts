import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { intIn, parseScale, parseSeconds } from './option-values.js';

describe('option values', () => {
  it('reads seconds and refuses anything that is not a time', () => {
    expect([parseSeconds('2.5'), parseSeconds('0'), parseSeconds('.5'), parseSeconds('1e1')]).toEqual([
      2.5, 0, 0.5, 10,
    ]);
    for (const bad of ['abc', '', '1s', '0x10', 'Infinity', '-1', '1,5'])
      expect(() => parseSeconds(bad), bad).toThrow(InvalidArgumentError);
  });

  it('reads a scale from 0.05 to 1 and says what it expected', () => {
    expect([parseScale('0.5'), parseScale('1'), parseScale('0.05')]).toEqual([0.5, 1, 0.05]);
    expect(() => parseScale('abc')).toThrow(
      'expected a fraction of the output size from 0.05 to 1, like 0.5, got "abc"',
    );
    expect(() => parseScale('2')).toThrow('got 2');
    expect(() => parseScale('0.01')).toThrow(InvalidArgumentError);
  });

  it('reads whole numbers in a range', () => {
    const quality = intIn(1, 100);
    expect(quality('90')).toBe(90);
    for (const bad of ['0', '101', '9.5', 'high'])
      expect(() => quality(bad), bad).toThrow(InvalidArgumentError);
  });
});
