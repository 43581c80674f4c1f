/**
 * What Renderers may share: media facts (probe results, image sizes) and prepared pictures, each
 * immutable once made. A preview worker keeps one for all its Renderers, so that editing a timeline
 * (which makes a new Renderer) does not decode its pictures again. Bounded by bytes, least recently
 * used first out; a load in flight is shared by everyone asking for the same key; a failed load is
 * not kept.
 */
export class RenderCache {
  readonly #entries = new Map<string, { value: Promise<unknown>; bytes: number }>();
  #bytes = 0;
  #hits = 0;
  #misses = 0;

  constructor(readonly maxBytes = 512 * 2 ** 20) {}

  /** The value for `key`, loaded once; `size` tells how many bytes it holds. */
  memo<T>(key: string, load: () => Promise<T>, size: (value: T) => number): Promise<T> {
    const hit = this.#entries.get(key);
    if (hit) {
      this.#hits++;
      this.#entries.delete(key);
      this.#entries.set(key, hit);
      return hit.value as Promise<T>;
    }
    this.#misses++;
    const entry = { value: Promise.resolve() as Promise<unknown>, bytes: 0 };
    const value = load().then(
      (v) => {
        if (this.#entries.get(key) === entry) {
          entry.bytes = size(v);
          this.#bytes += entry.bytes;
          this.#evict(key);
        }
        return v;
      },
      (e: unknown) => {
        if (this.#entries.get(key) === entry) this.#entries.delete(key);
        throw e;
      },
    );
    entry.value = value;
    this.#entries.set(key, entry);
    return value;
  }

  #evict(keep: string): void {
    for (const [key, entry] of this.#entries) {
      if (this.#bytes <= this.maxBytes) return;
      if (key === keep) continue;
      this.#entries.delete(key);
      this.#bytes -= entry.bytes;
    }
  }

  get stats(): { entries: number; bytes: number; hits: number; misses: number } {
    return { entries: this.#entries.size, bytes: this.#bytes, hits: this.#hits, misses: this.#misses };
  }

  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }
}
