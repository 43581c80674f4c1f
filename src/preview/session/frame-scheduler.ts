import type { Timeline } from '../../timeline/index.js';
import type { FrameFormat, FrameResult, Quality } from '../engine/index.js';

/** One client request for a frame. */
export interface FrameRequest {
  requestId: string;
  time: number;
  quality: Quality;
  format: FrameFormat;
  encoding: 'binary' | 'base64';
  /** The session version the request was made against (the frame's header carries it) and its timeline. */
  version: number;
  timeline: Timeline;
}

export interface FrameSchedulerDeps {
  render(request: FrameRequest, signal: AbortSignal): Promise<FrameResult>;
  deliver(request: FrameRequest, result: FrameResult): void;
  dropped(request: FrameRequest, reason: 'superseded' | 'left'): void;
  failed(request: FrameRequest, error: unknown): void;
  /** Bytes the socket has not sent yet. */
  bufferedAmount(): number;
  /** Above this many unsent bytes a finished frame is held (and replaced by newer ones) until the socket drains. */
  holdAboveBytes: number;
  /** Idle prefetch: after `delayMs` without a request, renders these times at preview quality, one by one. */
  prefetch?: {
    delayMs: number;
    times(request: FrameRequest): number[];
    render(time: number, format: FrameFormat, signal: AbortSignal): Promise<unknown>;
  };
  /** How often a held frame checks whether the socket drained. */
  drainPollMs?: number;
  onError?(error: unknown): void;
}

/**
 * Latest-wins frame scheduling for one member of a session. A new request aborts the one in flight
 * and drops a finished frame still held back (each gets `frame.dropped`); nothing ever queues. A
 * finished frame goes out at once unless the socket is backed up, in which case it waits for the
 * socket to drain and can still be replaced by a newer one. When the client pauses, neighbouring
 * frames are rendered into the cache at preview quality.
 */
export class FrameScheduler {
  private current: { request: FrameRequest; controller: AbortController } | null = null;
  private held: { request: FrameRequest; result: FrameResult } | null = null;
  private drainTimer: ReturnType<typeof setTimeout> | null = null;
  private prefetchTimer: ReturnType<typeof setTimeout> | null = null;
  private prefetching: AbortController | null = null;
  private closed = false;

  constructor(private readonly deps: FrameSchedulerDeps) {}

  /** Whether a request is being rendered or a frame is waiting to be sent. */
  get busy(): boolean {
    return this.current !== null || this.held !== null;
  }

  request(request: FrameRequest): void {
    if (this.closed) return;
    this.stopPrefetch();
    this.supersede('superseded');
    const controller = new AbortController();
    this.current = { request, controller };
    this.deps.render(request, controller.signal).then(
      (result) => {
        if (controller.signal.aborted || this.closed) return;
        this.current = null;
        this.offer(request, result);
      },
      (error: unknown) => {
        if (controller.signal.aborted || this.closed) return;
        this.current = null;
        this.deps.failed(request, error);
      },
    );
  }

  /** Stops everything; pending requests get `frame.dropped` with `reason`. Idempotent. */
  close(reason: 'left' | 'superseded' = 'left'): void {
    if (this.closed) return;
    this.supersede(reason);
    this.stopPrefetch();
    this.closed = true;
  }

  private supersede(reason: 'superseded' | 'left'): void {
    if (this.current) {
      const { request, controller } = this.current;
      this.current = null;
      controller.abort();
      this.deps.dropped(request, reason);
    }
    if (this.held) {
      const { request } = this.held;
      this.held = null;
      if (this.drainTimer) clearTimeout(this.drainTimer);
      this.drainTimer = null;
      this.deps.dropped(request, reason);
    }
  }

  private offer(request: FrameRequest, result: FrameResult): void {
    if (this.deps.bufferedAmount() > this.deps.holdAboveBytes) {
      this.held = { request, result };
      this.waitForDrain();
      return;
    }
    this.deps.deliver(request, result);
    this.schedulePrefetch(request, result);
  }

  private waitForDrain(): void {
    this.drainTimer = setTimeout(() => {
      this.drainTimer = null;
      const held = this.held;
      if (!held || this.closed) return;
      if (this.deps.bufferedAmount() > this.deps.holdAboveBytes) return this.waitForDrain();
      this.held = null;
      this.deps.deliver(held.request, held.result);
      this.schedulePrefetch(held.request, held.result);
    }, this.deps.drainPollMs ?? 10);
  }

  private schedulePrefetch(request: FrameRequest, result: FrameResult): void {
    const prefetch = this.deps.prefetch;
    // A degraded frame means rendering is failing: more renders would only keep the breaker busy.
    if (!prefetch || this.closed || result.degraded) return;
    this.stopPrefetch();
    this.prefetchTimer = setTimeout(() => {
      this.prefetchTimer = null;
      const controller = new AbortController();
      this.prefetching = controller;
      const run = async () => {
        for (const time of prefetch.times(request)) {
          if (controller.signal.aborted) return;
          try {
            await prefetch.render(time, request.format, controller.signal);
          } catch (e) {
            if (controller.signal.aborted) return;
            this.deps.onError?.(e);
          }
        }
      };
      run()
        .catch((e: unknown) => this.deps.onError?.(e))
        .finally(() => {
          if (this.prefetching === controller) this.prefetching = null;
        });
    }, prefetch.delayMs);
  }

  private stopPrefetch(): void {
    if (this.prefetchTimer) clearTimeout(this.prefetchTimer);
    this.prefetchTimer = null;
    this.prefetching?.abort();
    this.prefetching = null;
  }
}
