/** Breaker settings, resolved. */
export interface BreakerOptions {
  /** Consecutive failures (or timeouts) that open it. */
  failureThreshold: number;
  /** How long it stays open before letting one probe through. */
  openMs: number;
  /** Milliseconds since some origin; injectable for tests. */
  now: () => number;
}

export type BreakerState = 'closed' | 'open' | 'half-open';

/**
 * A circuit breaker: `failureThreshold` consecutive failures open it; while open, `allow()` says no
 * (callers fail fast); after `openMs` one call is let through (half-open) — its success closes the
 * breaker, its failure opens it again for another `openMs`.
 */
export class CircuitBreaker {
  readonly #o: BreakerOptions;
  #state: BreakerState = 'closed';
  #failures = 0;
  #opens = 0;
  #openedAt = 0;
  #probing = false;

  constructor(options: BreakerOptions) {
    this.#o = options;
  }

  get state(): BreakerState {
    if (this.#state === 'open' && this.#o.now() - this.#openedAt >= this.#o.openMs) return 'half-open';
    return this.#state;
  }

  /** Milliseconds until an open breaker lets a probe through (0 when not open). */
  get retryInMs(): number {
    return this.#state === 'open' ? Math.max(0, this.#openedAt + this.#o.openMs - this.#o.now()) : 0;
  }

  /**
   * Whether a call may go ahead now: a ticket, or null (fail fast). A half-open breaker admits one
   * probe at a time; a call that ends neither in success nor failure (cancelled) releases its ticket.
   */
  allow(): { release: () => void } | null {
    const s = this.state;
    if (s === 'closed') return { release: () => undefined };
    if (s === 'open' || this.#probing) return null;
    this.#state = 'half-open';
    this.#probing = true;
    return {
      release: () => {
        this.#probing = false;
      },
    };
  }

  success(): void {
    this.#failures = 0;
    this.#probing = false;
    this.#state = 'closed';
  }

  failure(): void {
    this.#failures++;
    const probeFailed = this.#probing || this.#state === 'half-open';
    this.#probing = false;
    if (probeFailed || (this.#state === 'closed' && this.#failures >= this.#o.failureThreshold)) {
      this.#state = 'open';
      this.#openedAt = this.#o.now();
      this.#opens++;
    }
  }

  stats(): { state: BreakerState; failures: number; opens: number } {
    return { state: this.state, failures: this.#failures, opens: this.#opens };
  }
}
