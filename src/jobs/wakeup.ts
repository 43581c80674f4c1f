import type { Clock, TimerHandle } from './clock.js';

/**
 * A wake-up for a polling loop that is never lost: a `wake()` that comes while the loop is busy makes its
 * next `wait()` return at once.
 */
export class Wakeup {
  private woken = false;
  private resolveWait: (() => void) | null = null;

  constructor(private readonly clock: Clock) {}

  wake(): void {
    this.woken = true;
    this.resolveWait?.();
  }

  /** Forgets earlier wake-ups; call at the start of each round of work. */
  reset(): void {
    this.woken = false;
  }

  /** Resolves on `wake()` or after `ms`, at once if woken since the last reset. */
  wait(ms: number): Promise<void> {
    if (this.woken) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.clock.clearTimeout(timer);
        this.resolveWait = null;
        resolve();
      };
      const timer = this.clock.setTimeout(done, Math.max(0, ms));
      this.resolveWait = done;
    });
  }
}

/** Runs `fn` every `ms` on the clock, never overlapping itself, until stopped. */
export class Ticker {
  private timer: TimerHandle | null = null;
  private stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly ms: number,
    private readonly fn: () => Promise<void>,
    private readonly onError: (e: unknown) => void,
  ) {
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.fn()
        .catch(this.onError)
        .finally(() => this.schedule());
    }, this.ms);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }
}
