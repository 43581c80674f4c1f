/** Retry timing: exponential back-off with proportional jitter. Pure. */

export interface RetryPolicy {
  /** Attempts in all, the first included (1 = never retried). */
  attempts: number;
  /** Delay after the first failure; doubles with every further failure. */
  backoffMs: number;
  /** Ceiling for the delay. */
  maxBackoffMs: number;
  /** 0–1: the delay is drawn from [base × (1 − jitter), base], so retries of many jobs spread out. */
  jitter: number;
}

export const defaultRetryPolicy: Readonly<RetryPolicy> = Object.freeze({
  attempts: 3,
  backoffMs: 1_000,
  maxBackoffMs: 5 * 60_000,
  jitter: 0.25,
});

/**
 * Delay before the next attempt after attempt number `failedAttempt` (1-based) failed.
 * `random` returns [0, 1); inject it for deterministic tests.
 */
export function backoffDelay(failedAttempt: number, policy: RetryPolicy, random: () => number = Math.random) {
  const exponent = Math.max(0, failedAttempt - 1);
  const base = Math.min(policy.maxBackoffMs, policy.backoffMs * 2 ** Math.min(exponent, 52));
  const jitter = Math.min(1, Math.max(0, policy.jitter));
  return Math.max(0, Math.round(base * (1 - jitter * random())));
}

export interface RetryDecision {
  /** When the next attempt may start, or null when the job has failed for good. */
  retryAt: number | null;
  delayMs: number;
}

/** Whether a failed attempt is tried again, and when. */
export function decideRetry(input: {
  attempt: number;
  maxAttempts: number;
  retryable: boolean;
  policy: RetryPolicy;
  now: number;
  random?: () => number;
}): RetryDecision {
  if (!input.retryable || input.attempt >= input.maxAttempts) return { retryAt: null, delayMs: 0 };
  const delayMs = backoffDelay(input.attempt, input.policy, input.random);
  return { retryAt: input.now + delayMs, delayMs };
}
