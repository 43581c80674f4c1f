import type { Logger } from '../../log.js';
import type { Clock, TimerHandle } from '../clock.js';
import type { JobEvent, JobEventListener, Unsubscribe } from '../job-queue.js';
import type { StoreSignal } from '../job-store.js';
import type { SqliteDatabase } from './open-database.js';

/**
 * Events are rows in `jobs_events`, written in the same transaction as the change they describe, so a
 * subscriber in any process that shares the file sees them in commit order. Local writes are pushed at
 * once (`kick`); other processes' writes are found by polling while anyone listens.
 */
export class SqliteEventFeed {
  private readonly listeners = new Set<JobEventListener>();
  private readonly signalListeners = new Set<(s: StoreSignal) => void>();
  private cursor: number | null = null;
  private kicked = false;
  private timer: TimerHandle | null = null;
  private closed = false;
  private readonly insert;
  private readonly readAfter;
  private readonly maxSeq;

  constructor(
    db: SqliteDatabase,
    private readonly clock: Clock,
    private readonly pollMs: number,
    private readonly log: Logger,
  ) {
    this.insert = db.prepare('INSERT INTO jobs_events (at, kind, body) VALUES (?, ?, ?)');
    this.readAfter = db.prepare(
      'SELECT seq, kind, body FROM jobs_events WHERE seq > ? ORDER BY seq LIMIT 500',
    );
    this.maxSeq = db.prepare('SELECT COALESCE(MAX(seq), 0) AS seq FROM jobs_events').pluck();
  }

  /** Writes an event row; call inside the transaction of the change. */
  emit(event: JobEvent): void {
    this.insert.run(event.at, 'event', JSON.stringify(event));
  }

  /** Writes a worker hint (cancel request) that is not a public event. */
  signal(at: number, signal: StoreSignal): void {
    this.insert.run(at, 'signal', JSON.stringify(signal));
  }

  subscribe(listener: JobEventListener): Unsubscribe {
    this.start();
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
      this.stopIfIdle();
    };
  }

  onSignal(listener: (s: StoreSignal) => void): Unsubscribe {
    this.start();
    this.signalListeners.add(listener);
    return () => {
      this.signalListeners.delete(listener);
      this.stopIfIdle();
    };
  }

  /** Delivers what committed since the last look, soon (coalesced). */
  kick(): void {
    if (this.kicked || this.cursor === null || this.closed) return;
    this.kicked = true;
    setImmediate(() => {
      this.kicked = false;
      this.pump();
    });
  }

  close(): void {
    this.closed = true;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.listeners.clear();
    this.signalListeners.clear();
  }

  private start(): void {
    if (this.cursor !== null || this.closed) return;
    this.cursor = this.maxSeq.get() as number;
    this.schedulePoll();
  }

  private stopIfIdle(): void {
    if (this.listeners.size > 0 || this.signalListeners.size > 0) return;
    this.cursor = null;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private schedulePoll(): void {
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.pump();
      if (this.cursor !== null && !this.closed) this.schedulePoll();
    }, this.pollMs);
  }

  private pump(): void {
    if (this.closed) return;
    try {
      for (;;) {
        if (this.cursor === null) return;
        const rows = this.readAfter.all(this.cursor) as Array<{ seq: number; kind: string; body: string }>;
        if (rows.length === 0) return;
        for (const row of rows) {
          this.cursor = row.seq;
          this.deliver(row.kind, row.body);
        }
      }
    } catch (e) {
      if (!this.closed) this.log.error({ err: e }, 'could not read job events');
    }
  }

  private deliver(kind: string, body: string): void {
    const parsed = JSON.parse(body) as JobEvent | StoreSignal;
    if (kind === 'signal') {
      this.notify(parsed as StoreSignal);
      return;
    }
    const event = parsed as JobEvent;
    if (event.type === 'job.queued' && event.state === 'queued')
      this.notify({ kind: 'ready', type: event.jobType });
    else if (event.type === 'job.retrying') this.notify({ kind: 'ready', type: event.jobType });
    for (const l of this.listeners) {
      try {
        l(event);
      } catch (e) {
        this.log.error({ err: e }, 'a job event listener threw');
      }
    }
  }

  private notify(signal: StoreSignal): void {
    for (const l of this.signalListeners) {
      try {
        l(signal);
      } catch (e) {
        this.log.error({ err: e }, 'a job signal listener threw');
      }
    }
  }
}
