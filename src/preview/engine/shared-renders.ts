import { isReelforgeError, ReelforgeError } from '../../errors.js';
import type { CircuitBreaker } from './breaker.js';
import type { PoolReply } from './worker-pool.js';

/** One render that requests for the same frame share. */
export interface SharedRun {
  /** The frame's cache key (or the strip's): requests with the same key wait on one render. */
  key: string;
  /** Starts the render; `signal` aborts once every request waiting on it has gone stale. */
  start: (signal: AbortSignal) => Promise<PoolReply>;
  timeoutMs: number;
  /** Receives the reply even when nobody waits any more (the frame is cached for next time). */
  onReply: (reply: PoolReply) => void;
}

interface Inflight {
  result: Promise<PoolReply>;
  controller: AbortController;
  waiters: number;
  settled: boolean;
}

export const cancelled = () =>
  new ReelforgeError('RENDER_CANCELLED', 'the frame request was superseded', {
    status: 499,
    retryable: false,
  });

/**
 * Renders in flight, shared by every request for the same frame (two sessions on one timeline, a
 * prefetch and the request it anticipated), behind the circuit breaker and a timeout. Each request
 * can go stale on its own; the render is dropped only when all of them have (and only if it has not
 * started — a started render finishes and fills the cache). A render counts once for the breaker:
 * success, or failure (timeouts included); a dropped render counts as neither.
 */
export class SharedRenders {
  readonly #breaker: CircuitBreaker;
  readonly #unavailable: () => ReelforgeError;
  readonly #inflight = new Map<string, Inflight>();

  constructor(breaker: CircuitBreaker, unavailable: () => ReelforgeError) {
    this.#breaker = breaker;
    this.#unavailable = unavailable;
  }

  /** Renders in flight now. */
  get size(): number {
    return this.#inflight.size;
  }

  #begin(run: SharedRun): Inflight {
    const ticket = this.#breaker.allow();
    if (!ticket) throw this.#unavailable();
    const controller = new AbortController();
    const work = run.start(controller.signal);
    work.then(run.onReply).catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new ReelforgeError('PREVIEW_TIMEOUT', `the frame took longer than ${run.timeoutMs} ms`, {
              status: 504,
              retryable: true,
            }),
          ),
        run.timeoutMs,
      );
    });
    const entry: Inflight = { result: Promise.race([work, timeout]), controller, waiters: 0, settled: false };
    // Registered before any waiter's race, so `settled` is set by the time a waiter resumes.
    entry.result
      .then(
        () => {
          entry.settled = true;
          this.#breaker.success();
        },
        (e: unknown) => {
          entry.settled = true;
          if (isReelforgeError(e, 'RENDER_CANCELLED') || isReelforgeError(e, 'PREVIEW_CLOSED'))
            ticket.release();
          else this.#breaker.failure();
        },
      )
      .finally(() => {
        clearTimeout(timer);
        if (this.#inflight.get(run.key) === entry) this.#inflight.delete(run.key);
      });
    this.#inflight.set(run.key, entry);
    return entry;
  }

  /**
   * Waits for the render of `run.key`, starting it unless one is in flight. Rejects with
   * PREVIEW_UNAVAILABLE (breaker open), PREVIEW_TIMEOUT, RENDER_CANCELLED (`signal` aborted) or the
   * render's own failure.
   */
  async wait(run: SharedRun, signal?: AbortSignal): Promise<PoolReply> {
    if (signal?.aborted) throw cancelled();
    const entry = this.#inflight.get(run.key) ?? this.#begin(run);
    entry.waiters++;
    let onAbort: (() => void) | undefined;
    const stale = new Promise<never>((_, reject) => {
      onAbort = () => reject(cancelled());
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([entry.result, stale]);
    } finally {
      if (onAbort) signal?.removeEventListener('abort', onAbort);
      entry.waiters--;
      if (entry.waiters === 0 && !entry.settled) {
        // Everyone left: a render still queued is dropped, and later requests start afresh.
        entry.controller.abort();
        if (this.#inflight.get(run.key) === entry) this.#inflight.delete(run.key);
      }
    }
  }
}
