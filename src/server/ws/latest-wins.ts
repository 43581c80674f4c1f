export interface TimerClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realClock: TimerClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/**
 * Sends at most one value per key per interval; values arriving in between replace each other and the
 * latest is sent when the interval ends (so the last progress of a burst is never lost).
 */
export class LatestWins<T> {
  private readonly last = new Map<string, number>();
  private readonly pending = new Map<string, { value: T; timer: unknown }>();

  constructor(
    private readonly intervalMs: number,
    private readonly send: (key: string, value: T) => void,
    private readonly clock: TimerClock = realClock,
  ) {}

  push(key: string, value: T): void {
    const now = this.clock.now();
    const since = now - (this.last.get(key) ?? Number.NEGATIVE_INFINITY);
    const waiting = this.pending.get(key);
    if (waiting) {
      waiting.value = value;
      return;
    }
    if (since >= this.intervalMs) {
      this.last.set(key, now);
      this.send(key, value);
      return;
    }
    const timer = this.clock.setTimeout(() => this.flush(key), this.intervalMs - since);
    this.pending.set(key, { value, timer });
  }

  /** Sends a waiting value now (before an event that must come after it). */
  flush(key: string): void {
    const waiting = this.pending.get(key);
    if (!waiting) return;
    this.clock.clearTimeout(waiting.timer);
    this.pending.delete(key);
    this.last.set(key, this.clock.now());
    this.send(key, waiting.value);
  }

  /** Forgets a key (its job ended); a waiting value is dropped. */
  forget(key: string): void {
    const waiting = this.pending.get(key);
    if (waiting) this.clock.clearTimeout(waiting.timer);
    this.pending.delete(key);
    this.last.delete(key);
  }

  clear(): void {
    for (const { timer } of this.pending.values()) this.clock.clearTimeout(timer);
    this.pending.clear();
    this.last.clear();
  }
}
