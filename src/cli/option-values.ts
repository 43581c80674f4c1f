import { InvalidArgumentError } from 'commander';

const decimal = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

function number(value: string, expected: string): number {
  const n = decimal.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isFinite(n)) throw new InvalidArgumentError(`expected ${expected}, got "${value}"`);
  return n;
}

/** Commander parser for a time in seconds: a finite number ≥ 0 (`2.5`). */
export function parseSeconds(value: string): number {
  const n = number(value, 'seconds (a number ≥ 0, like 2.5)');
  if (n < 0) throw new InvalidArgumentError(`expected seconds ≥ 0, got ${value}`);
  return n;
}

/** The smallest and largest render scale the engine accepts. */
export const SCALE_RANGE = { min: 0.05, max: 1 } as const;

/** Commander parser for `--scale`: a fraction of the output size from 0.05 to 1. */
export function parseScale(value: string): number {
  const expected = `a fraction of the output size from ${SCALE_RANGE.min} to ${SCALE_RANGE.max}`;
  const n = number(value, `${expected}, like 0.5`);
  if (n < SCALE_RANGE.min || n > SCALE_RANGE.max)
    throw new InvalidArgumentError(`expected ${expected}, got ${value}`);
  return n;
}

/** Commander parser for an integer in [min, max]. */
export function intIn(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = number(value, `a whole number from ${min} to ${max}`);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}, got ${value}`);
    return n;
  };
}
