import { describe, expect, it } from 'vitest';
import { FrameCache } from './frame-cache.js';

const entry = (bytes: number, time = 0) => ({ value: `v${bytes}`, bytes, time, deps: [], group: 'g' });

describe('FrameCache', () => {
  it('keeps to its byte budget by evicting the least recently used entries', () => {
    const c = new FrameCache<string>(100);
    c.set('a', entry(40));
    c.set('b', entry(40));
    expect(c.get('a')?.value).toBe('v40'); // a is now the most recently used
    c.set('c', entry(30)); // 110 bytes: b goes
    expect(c.get('b')).toBeUndefined();
    expect(c.get('a')).toBeDefined();
    expect(c.get('c')).toBeDefined();
    expect(c.stats()).toEqual({
      entries: 2,
      bytes: 70,
      maxBytes: 100,
      hits: 3,
      misses: 1,
      evictions: 1,
      hitRate: 0.75,
    });
  });

  it('replaces an entry under the same key without counting it twice', () => {
    const c = new FrameCache<string>(100);
    c.set('a', entry(60));
    c.set('a', entry(50));
    expect(c.stats()).toMatchObject({ entries: 1, bytes: 50, evictions: 0 });
  });

  it('does not store an entry larger than the whole budget (and keeps the others)', () => {
    const c = new FrameCache<string>(100);
    c.set('a', entry(10));
    c.set('huge', entry(101));
    expect(c.get('huge')).toBeUndefined();
    expect(c.stats()).toMatchObject({ entries: 1, bytes: 10, evictions: 0 });
  });

  it('evicts as many entries as it takes for a large one', () => {
    const c = new FrameCache<string>(100);
    for (const k of ['a', 'b', 'c', 'd']) c.set(k, entry(25));
    c.set('e', entry(90));
    expect(c.stats()).toMatchObject({ entries: 1, bytes: 90, evictions: 4 });
  });

  it('drops the entries a predicate picks and reports how many', () => {
    const c = new FrameCache<string>(1000);
    for (let i = 0; i < 10; i++) c.set(`k${i}`, entry(10, i));
    expect(c.dropWhere((e) => e.time >= 7)).toBe(3);
    expect(c.stats()).toMatchObject({ entries: 7, bytes: 70 });
    expect(c.get('k6')).toBeDefined();
    expect(c.get('k7')).toBeUndefined();
    expect(c.clear()).toBe(7);
    expect(c.stats()).toMatchObject({ entries: 0, bytes: 0 });
  });

  it('reports a hit rate of 0 before any lookup', () => {
    expect(new FrameCache<string>(1).stats().hitRate).toBe(0);
  });
});
