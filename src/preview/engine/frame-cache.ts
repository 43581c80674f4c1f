import type { CacheStats } from './types.js';

/** A cached frame with what it depends on (for invalidation). */
export interface CacheEntry<V> {
  value: V;
  bytes: number;
  /** The time of the frame (the start of its output frame). */
  time: number;
  /** Ids of the clips it was made of. */
  deps: readonly string[];
  /** Which family of timelines it belongs to (a hash of their global parts), to narrow invalidation. */
  group: string;
}

/**
 * A least-recently-used cache bounded by bytes. A Map keeps insertion order, so re-inserting on
 * every hit makes its first key the least recently used. Entries larger than the whole budget are
 * not stored.
 */
export class FrameCache<V> {
  readonly #map = new Map<string, CacheEntry<V>>();
  readonly #maxBytes: number;
  #bytes = 0;
  #hits = 0;
  #misses = 0;
  #evictions = 0;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  get(key: string): CacheEntry<V> | undefined {
    const e = this.#map.get(key);
    if (!e) {
      this.#misses++;
      return undefined;
    }
    this.#hits++;
    this.#map.delete(key);
    this.#map.set(key, e);
    return e;
  }

  set(key: string, entry: CacheEntry<V>): void {
    this.#delete(key);
    if (entry.bytes > this.#maxBytes) return;
    this.#map.set(key, entry);
    this.#bytes += entry.bytes;
    for (const [k] of this.#map) {
      if (this.#bytes <= this.#maxBytes) break;
      this.#delete(k);
      this.#evictions++;
    }
  }

  #delete(key: string): boolean {
    const e = this.#map.get(key);
    if (!e) return false;
    this.#map.delete(key);
    this.#bytes -= e.bytes;
    return true;
  }

  /** Drops every entry the predicate picks; returns how many. */
  dropWhere(pick: (e: CacheEntry<V>) => boolean): number {
    let n = 0;
    for (const [k, e] of this.#map) if (pick(e) && this.#delete(k)) n++;
    return n;
  }

  clear(): number {
    const n = this.#map.size;
    this.#map.clear();
    this.#bytes = 0;
    return n;
  }

  stats(): CacheStats {
    const lookups = this.#hits + this.#misses;
    return {
      entries: this.#map.size,
      bytes: this.#bytes,
      maxBytes: this.#maxBytes,
      hits: this.#hits,
      misses: this.#misses,
      evictions: this.#evictions,
      hitRate: lookups === 0 ? 0 : this.#hits / lookups,
    };
  }
}
