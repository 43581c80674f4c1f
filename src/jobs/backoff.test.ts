import { describe, expect, it } from 'vitest';
import { backoffDelay, decideRetry, type RetryPolicy } from './backoff.js';

const policy: RetryPolicy = { attempts: 5, backoffMs: 1_000, maxBackoffMs: 10_000, jitter: 0.5 };

describe('backoffDelay', () => {
  it('doubles with every failure up to the ceiling', () => {
    const noJitter = { ...policy, jitter: 0 };
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, noJitter))).toEqual([
      1_000, 2_000, 4_000, 8_000, 10_000, 10_000,
    ]);
  });

  it('draws the jitter below the base, never above', () => {
    expect(backoffDelay(2, policy, () => 0)).toBe(2_000);
    expect(backoffDelay(2, policy, () => 0.5)).toBe(1_500);
    expect(backoffDelay(2, policy, () => 0.999_999)).toBe(1_000);
    expect(backoffDelay(5, policy, () => 0.999_999)).toBe(5_000);
  });

  it('survives absurd inputs', () => {
    expect(backoffDelay(10_000, policy, () => 0)).toBe(10_000);
    expect(backoffDelay(0, { ...policy, jitter: 7 }, () => 0.5)).toBe(500);
  });
});

describe('decideRetry', () => {
  const base = { maxAttempts: 3, retryable: true, policy, now: 1_000_000, random: () => 0 };

  it('retries a retryable failure while attempts remain', () => {
    expect(decideRetry({ ...base, attempt: 1 })).toEqual({ retryAt: 1_001_000, delayMs: 1_000 });
    expect(decideRetry({ ...base, attempt: 2 })).toEqual({ retryAt: 1_002_000, delayMs: 2_000 });
  });

  it('gives up after the last attempt or on a non-retryable error', () => {
    expect(decideRetry({ ...base, attempt: 3 }).retryAt).toBeNull();
    expect(decideRetry({ ...base, attempt: 1, retryable: false }).retryAt).toBeNull();
  });
});
