import type { UploadProgress, UploadSession } from './upload-session.js';

export type UploadListener = (event: UploadProgress) => void;

/**
 * Fans upload progress out to listeners: at most one event per upload every `intervalMs` (the latest
 * state wins, sent when the interval ends), stage changes at once.
 */
export class ProgressEmitter {
  private readonly listeners = new Set<UploadListener>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly last = new Map<string, number>();

  constructor(
    private readonly intervalMs: number,
    private readonly onListenerError: (e: unknown) => void,
    private readonly now: () => number = Date.now,
  ) {}

  subscribe(listener: UploadListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Sends the session's state now (`force`) or once its interval allows. */
  emit(session: UploadSession, force: boolean): void {
    const now = this.now();
    const wait = this.intervalMs - (now - (this.last.get(session.id) ?? Number.NEGATIVE_INFINITY));
    if (!force && wait > 0) {
      if (!this.timers.has(session.id)) {
        const t = setTimeout(() => {
          this.timers.delete(session.id);
          if (session.stage === 'uploading') this.emit(session, true);
        }, wait);
        t.unref();
        this.timers.set(session.id, t);
      }
      return;
    }
    this.forget(session.id);
    if (session.stage !== 'complete' && session.stage !== 'failed') this.last.set(session.id, now);
    const event = session.snapshot();
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (e) {
        this.onListenerError(e);
      }
    }
  }

  /** Drops an upload's timer and interval (it ended or was removed). */
  forget(id: string): void {
    const timer = this.timers.get(id);
    if (timer) clearTimeout(timer);
    this.timers.delete(id);
    this.last.delete(id);
  }

  close(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.last.clear();
  }
}
