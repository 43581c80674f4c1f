import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limiter.js';

describe('RateLimiter', () => {
  it('allows a burst, then refills at the sustained rate', () => {
    let now = 0;
    const rl = new RateLimiter({ perMinute: 60, burst: 3, now: () => now });
    expect([1, 2, 3].map(() => rl.take('a').ok)).toEqual([true, true, true]);
    const denied = rl.take('a');
    expect(denied).toEqual({ ok: false, retryAfterMs: 1000 });
    now += 1000;
    expect(rl.take('a').ok).toBe(true);
    expect(rl.take('a').ok).toBe(false);
  });

  it('keeps keys apart', () => {
    const rl = new RateLimiter({ perMinute: 60, burst: 1, now: () => 0 });
    expect(rl.take('a').ok).toBe(true);
    expect(rl.take('a').ok).toBe(false);
    expect(rl.take('b').ok).toBe(true);
  });

  it('is off with perMinute 0', () => {
    const rl = new RateLimiter({ perMinute: 0, burst: 1 });
    for (let i = 0; i < 100; i++) expect(rl.take('a').ok).toBe(true);
    expect(rl.size()).toBe(0);
  });

  it('stays bounded in memory with many keys', () => {
    let now = 0;
    const rl = new RateLimiter({ perMinute: 60, burst: 2, now: () => now, maxKeys: 100 });
    for (let i = 0; i < 1000; i++) {
      now += 1;
      rl.take(`k${i}`);
    }
    expect(rl.size()).toBeLessThanOrEqual(100);
  });
});
