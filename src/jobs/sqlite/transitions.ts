import { dependencyFailedError } from '../job-errors.js';
import type { JobError, JobEvent, JobState } from '../job-queue.js';
import { priorityFromRank } from '../job-queue.js';
import { waitingForReason } from '../records.js';
import type { SqliteEventFeed } from './event-feed.js';
import type { Sql } from './statements.js';

interface DepRow {
  dep_id: string;
  optional: number;
  state: JobState;
  error: string | null;
}

interface DependentRow {
  id: string;
  type: string;
  priority: number;
  state: JobState;
  optional: number;
  attempts: number;
  failed_dependency: string | null;
}

/** A dependency is settled for its dependent when it completed, or when it is optional and finished. */
export function isSettled(dep: { state: JobState; optional: boolean }): boolean {
  return dep.state === 'completed' || (dep.optional && (dep.state === 'failed' || dep.state === 'cancelled'));
}

/** A dependency that dooms its dependent: required, and failed or cancelled. */
export function isFatal(dep: { state: JobState; optional: boolean }): boolean {
  return !dep.optional && (dep.state === 'failed' || dep.state === 'cancelled');
}

/**
 * The dependency graph moves, inside the caller's transaction: completing or failing a job releases,
 * fails or revives its dependents, transitively.
 */
export class SqliteTransitions {
  constructor(
    private readonly sql: Sql,
    private readonly feed: SqliteEventFeed,
  ) {}

  nextReadySeq(): number {
    return this.sql("UPDATE jobs_meta SET value = value + 1 WHERE key = 'ready_seq' RETURNING value")
      .pluck()
      .get() as number;
  }

  depsOf(jobId: string): DepRow[] {
    return this.sql(
      `SELECT d.dep_id, d.optional, j.state, j.error FROM jobs_deps d JOIN jobs_jobs j ON j.id = d.dep_id
       WHERE d.job_id = ? ORDER BY d.ord`,
    ).all(jobId) as DepRow[];
  }

  private dependents(jobId: string): DependentRow[] {
    return this.sql(
      `SELECT j.id, j.type, j.priority, j.state, d.optional, j.attempts, j.failed_dependency
       FROM jobs_deps d JOIN jobs_jobs j ON j.id = d.job_id WHERE d.dep_id = ? ORDER BY j.seq`,
    ).all(jobId) as DependentRow[];
  }

  emit(event: JobEvent): void {
    this.feed.emit(event);
  }

  /** Makes a job runnable now (or at `runAt`) and announces it. */
  markQueued(job: { id: string; type: string; priority: number }, now: number): void {
    this.sql(
      `UPDATE jobs_jobs SET state = 'queued', ready_seq = ?, queued_at = ?, run_at = 0, wait_reason = NULL,
       pending_deps = 0 WHERE id = ?`,
    ).run(this.nextReadySeq(), now, job.id);
    this.emit({
      type: 'job.queued',
      jobId: job.id,
      jobType: job.type,
      at: now,
      state: 'queued',
      priority: priorityFromRank(job.priority),
      waitingFor: [],
    });
  }

  /** After `jobId` completed (or an optional dependency finished): dependents whose wait is over run. */
  settleDependent(d: { id: string; type: string; priority: number }, now: number): void {
    const deps = this.depsOf(d.id).map((r) => ({ ...r, optional: r.optional === 1 }));
    const pending = deps.filter((r) => !isSettled(r)).map((r) => r.dep_id);
    if (pending.length === 0) this.markQueued(d, now);
    else
      this.sql('UPDATE jobs_jobs SET pending_deps = ?, wait_reason = ? WHERE id = ?').run(
        pending.length,
        waitingForReason(pending),
        d.id,
      );
  }

  /** Called once `jobId` reached a finished state. */
  onFinished(jobId: string, state: JobState, error: JobError | null, now: number): void {
    const queue: Array<{ id: string; state: JobState; error: JobError | null }> = [
      { id: jobId, state, error },
    ];
    while (queue.length > 0) {
      const done = queue.shift()!;
      for (const d of this.dependents(done.id)) {
        if (d.state !== 'waiting') continue;
        if (isSettled({ state: done.state, optional: d.optional === 1 })) {
          this.settleDependent(d, now);
          continue;
        }
        const failure = dependencyFailedError(done.id, done.state, done.error?.message ?? null);
        this.sql(
          `UPDATE jobs_jobs SET state = 'failed', error = ?, failed_dependency = ?, finished_at = ?,
           wait_reason = NULL WHERE id = ?`,
        ).run(JSON.stringify(failure), done.id, now, d.id);
        this.emit({
          type: 'job.failed',
          jobId: d.id,
          jobType: d.type,
          at: now,
          attempt: d.attempts,
          error: failure,
        });
        queue.push({ id: d.id, state: 'failed', error: failure });
      }
    }
  }

  /**
   * Puts a failed or cancelled job back (waiting or queued) with a fresh attempt budget, and revives the
   * dependents that failed only because of it. Returns the fatal dependency that prevents it, if any.
   */
  revive(jobId: string, now: number): string | null {
    const deps = this.depsOf(jobId).map((r) => ({ ...r, optional: r.optional === 1 }));
    const fatal = deps.find(isFatal);
    if (fatal) return fatal.dep_id;
    const row = this.sql('SELECT id, type, priority FROM jobs_jobs WHERE id = ?').get(jobId) as {
      id: string;
      type: string;
      priority: number;
    };
    this.sql(
      `UPDATE jobs_jobs SET max_attempts = attempts + attempts_per_run, error = NULL, result = NULL,
       progress = NULL, cancel_requested = 0, cancel_reason = NULL, failed_dependency = NULL,
       finished_at = NULL, lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL WHERE id = ?`,
    ).run(jobId);
    const pending = deps.filter((r) => !isSettled(r)).map((r) => r.dep_id);
    if (pending.length === 0) this.markQueued(row, now);
    else {
      this.sql("UPDATE jobs_jobs SET state = 'waiting', pending_deps = ?, wait_reason = ? WHERE id = ?").run(
        pending.length,
        waitingForReason(pending),
        jobId,
      );
      this.emit({
        type: 'job.queued',
        jobId,
        jobType: row.type,
        at: now,
        state: 'waiting',
        priority: priorityFromRank(row.priority),
        waitingFor: pending,
      });
    }
    for (const d of this.dependents(jobId)) {
      if (d.state === 'failed' && d.failed_dependency === jobId) this.revive(d.id, now);
    }
    return null;
  }
}
