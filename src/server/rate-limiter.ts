/** The outcome of asking for one request's worth of budget. */
export type RateDecision = { ok: true; remaining: number } | { ok: false; retryAfterMs: number };

export interface RateLimiterOptions {
  /** Sustained requests per minute; 0 = unlimited. */
  perMinute: number;
  /** Requests allowed at once above the sustained rate (the bucket's size). */
  burst: number;
  now?: () => number;
  /** Buckets remembered at most; idle (full) ones are dropped first. */
  maxKeys?: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * A token bucket per key (an API token's id, or a client address): `burst` requests at once, refilled
 * at `perMinute`. Memory stays bounded: once `maxKeys` buckets exist, those that have refilled are
 * forgotten (a forgotten bucket is a full one, so nothing is lost).
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;
  private readonly now: () => number;
  private readonly maxKeys: number;

  constructor(private readonly options: RateLimiterOptions) {
    this.perMs = options.perMinute / 60_000;
    this.now = options.now ?? Date.now;
    this.maxKeys = options.maxKeys ?? 10_000;
  }

  get enabled(): boolean {
    return this.options.perMinute > 0;
  }

  take(key: string): RateDecision {
    if (!this.enabled) return { ok: true, remaining: Number.POSITIVE_INFINITY };
    const now = this.now();
    const burst = this.options.burst;
    const b = this.buckets.get(key) ?? { tokens: burst, at: now };
    b.tokens = Math.min(burst, b.tokens + (now - b.at) * this.perMs);
    b.at = now;
    if (!this.buckets.has(key)) {
      if (this.buckets.size >= this.maxKeys) this.sweep(now);
      this.buckets.set(key, b);
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { ok: true, remaining: Math.floor(b.tokens) };
    }
    return { ok: false, retryAfterMs: Math.ceil((1 - b.tokens) / this.perMs) };
  }

  /** Buckets currently remembered. */
  size(): number {
    return this.buckets.size;
  }

  private sweep(now: number): void {
    for (const [key, b] of this.buckets) {
      if (b.tokens + (now - b.at) * this.perMs >= this.options.burst) this.buckets.delete(key);
    }
    // Still full of busy keys: forget the oldest half rather than grow without bound.
    if (this.buckets.size >= this.maxKeys) {
      let drop = Math.ceil(this.buckets.size / 2);
      for (const key of this.buckets.keys()) {
        if (drop-- <= 0) break;
        this.buckets.delete(key);
      }
    }
  }
}
