import { describe, expect, it } from 'vitest';
import { RenderCache } from './render-cache.js';

describe('RenderCache', () => {
  it('loads a key once, shares a load in flight, and counts hits and misses', async () => {
    const cache = new RenderCache(100);
    let loads = 0;
    const load = async () => {
      loads++;
      return 'v';
    };
    const [a, b] = await Promise.all([cache.memo('k', load, () => 10), cache.memo('k', load, () => 10)]);
    expect([a, b, loads]).toEqual(['v', 'v', 1]);
    expect(cache.stats).toMatchObject({ entries: 1, bytes: 10, hits: 1, misses: 1 });
  });

  it('evicts the least recently used entries beyond its byte bound', async () => {
    const cache = new RenderCache(25);
    for (const k of ['a', 'b'])
      await cache.memo(
        k,
        async () => k,
        () => 10,
      );
    await cache.memo(
      'a',
      async () => 'again',
      () => 10,
    ); // touches a
    await cache.memo(
      'c',
      async () => 'c',
      () => 10,
    ); // evicts b
    expect(cache.stats).toMatchObject({ entries: 2, bytes: 20 });
    expect(
      await cache.memo(
        'a',
        async () => 'reloaded',
        () => 10,
      ),
    ).toBe('a');
    expect(
      await cache.memo(
        'b',
        async () => 'reloaded',
        () => 10,
      ),
    ).toBe('reloaded');
  });

  it('does not keep a failed load', async () => {
    const cache = new RenderCache();
    await expect(
      cache.memo(
        'k',
        () => Promise.reject(new Error('boom')),
        () => 1,
      ),
    ).rejects.toThrow('boom');
    expect(
      await cache.memo(
        'k',
        async () => 'ok',
        () => 1,
      ),
    ).toBe('ok');
    expect(cache.stats.entries).toBe(1);
  });
});
