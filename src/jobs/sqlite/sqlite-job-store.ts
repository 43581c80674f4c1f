import type { Logger } from '../../log.js';
import { type Clock, systemClock } from '../clock.js';
import { dependencyUnknown, jobNotFound, leaseExpiredError, stateConflict } from '../job-errors.js';
import type {
  JobDetail,
  JobError,
  JobEventListener,
  JobPage,
  JobState,
  JobStats,
  JobSummary,
  Unsubscribe,
} from '../job-queue.js';
import { priorityFromRank } from '../job-queue.js';
import type {
  ClaimRequest,
  ClaimResult,
  FinishResult,
  HeartbeatResult,
  JobStore,
  Lease,
  ListQuery,
  NewJob,
  Outcome,
  StoreSignal,
} from '../job-store.js';
import type { ProgressSnapshot } from '../progress.js';
import { retryReason, type StoredJob, waitingForReason } from '../records.js';
import { COST_WINDOW_MS } from '../scheduler.js';
import { claimJobs } from './claims.js';
import { SqliteEventFeed } from './event-feed.js';
import { GroupCommit } from './group-commit.js';
import type { SqliteDatabase } from './open-database.js';
import { migrateJobsSchema } from './schema.js';
import { SqliteReads } from './sqlite-reads.js';
import { createStatementCache, type Sql } from './statements.js';
import { isFatal, isSettled, SqliteTransitions } from './transitions.js';

export interface SqliteJobStoreOptions {
  log: Logger;
  clock?: Clock;
  /** How often other processes' events and cancel requests are looked for. Default 250 ms. */
  eventPollMs?: number;
  /** How long event rows are kept for slow subscribers. Default 2 minutes. */
  eventRetentionMs?: number;
  /** Close the database on close() (when the store opened it). */
  ownsDatabase?: boolean;
}

const _HELD_REASON_WRITES = 20;

/** The embedded backend: one SQLite file (WAL) that the server, workers and the CLI can share. */
export class SqliteJobStore implements JobStore {
  readonly kind = 'sqlite' as const;
  private readonly clock: Clock;
  private readonly feed: SqliteEventFeed;
  private readonly t: SqliteTransitions;
  private readonly retentionMs: number;
  private lastPrune = 0;
  private readonly sql: Sql;
  private readonly commits: GroupCommit;
  private readonly reads: SqliteReads;
  private closing: Promise<void> | null = null;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly options: SqliteJobStoreOptions,
  ) {
    migrateJobsSchema(db);
    this.clock = options.clock ?? systemClock;
    this.retentionMs = options.eventRetentionMs ?? 120_000;
    this.feed = new SqliteEventFeed(db, this.clock, options.eventPollMs ?? 250, options.log);
    this.sql = createStatementCache(db);
    this.t = new SqliteTransitions(this.sql, this.feed);
    this.commits = new GroupCommit(db, () => this.feed.kick());
    this.reads = new SqliteReads(db, this.sql, this.clock);
  }

  /** Runs `fn` in a write transaction, grouped with the other writes of this tick. */
  private write<T>(fn: () => T): Promise<T> {
    if (this.closing) return Promise.reject(new Error('the SQLite job store is closed'));
    return this.commits.run(fn);
  }

  private row(id: string): StoredJob | undefined {
    return this.reads.row(id);
  }

  private summary(id: string): JobSummary {
    return this.reads.summary(id);
  }

  async get(id: string): Promise<JobDetail | undefined> {
    return this.reads.get(id);
  }

  async list(q: ListQuery): Promise<JobPage> {
    return this.reads.list(q);
  }

  async stats(windowMs: number): Promise<JobStats> {
    return this.reads.stats(windowMs);
  }

  async insert(job: NewJob): Promise<JobSummary> {
    return this.write(() => {
      const existing = this.row(job.id);
      if (existing) {
        if (existing.type !== job.type) {
          throw stateConflict(job.id, `already exists with type "${existing.type}", not "${job.type}"`);
        }
        return this.summary(job.id);
      }
      const deps = job.dependencies.map((d) => {
        const r = this.sql('SELECT state, error FROM jobs_jobs WHERE id = ?').get(d.id) as
          | { state: JobState; error: string | null }
          | undefined;
        return { ...d, found: r !== undefined, state: r?.state ?? 'queued', error: r?.error ?? null };
      });
      const missing = deps.filter((d) => !d.found).map((d) => d.id);
      if (missing.length > 0) throw dependencyUnknown(missing);

      const now = this.clock.now();
      const pending = deps.filter((d) => !isSettled(d)).map((d) => d.id);
      this.sql(
        `INSERT INTO jobs_jobs (id, type, state, priority, payload, pending_deps, max_attempts, attempts_per_run,
         timeout_ms, memory_mb, cost, wait_reason, created_at) VALUES (?, ?, 'waiting', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        job.id,
        job.type,
        job.priority,
        job.payloadJson,
        pending.length,
        job.maxAttempts,
        job.maxAttempts,
        job.timeoutMs,
        job.memoryMb,
        job.cost,
        pending.length > 0 ? waitingForReason(pending) : null,
        now,
      );
      job.dependencies.forEach((d, i) => {
        this.sql('INSERT INTO jobs_deps (job_id, dep_id, optional, ord) VALUES (?, ?, ?, ?)').run(
          job.id,
          d.id,
          d.optional ? 1 : 0,
          i,
        );
      });
      const fatal = deps.find(isFatal);
      if (pending.length === 0 && !fatal) this.t.markQueued(job, now);
      else {
        this.t.emit({
          type: 'job.queued',
          jobId: job.id,
          jobType: job.type,
          at: now,
          state: 'waiting',
          priority: priorityFromRank(job.priority),
          waitingFor: pending,
        });
        // A required dependency already failed: the new job fails the same way a waiting one would.
        if (fatal) {
          const error = fatal.error ? (JSON.parse(fatal.error) as JobError) : null;
          this.t.onFinished(fatal.id, fatal.state, error, now);
        }
      }
      return this.summary(job.id);
    });
  }

  async cancel(id: string, reason: string): Promise<JobSummary> {
    return this.write(() => {
      const row = this.row(id);
      if (!row) throw jobNotFound(id);
      const now = this.clock.now();
      if (row.state === 'queued' || row.state === 'waiting') {
        this.finishCancelled(row, reason, now);
      } else if (row.state === 'active') {
        this.sql('UPDATE jobs_jobs SET cancel_requested = 1, cancel_reason = ? WHERE id = ?').run(reason, id);
        this.feed.signal(now, { kind: 'cancel', jobId: id });
      } else if (row.state !== 'cancelled') {
        throw stateConflict(
          id,
          `is already ${row.state}; only queued, waiting or active jobs can be cancelled`,
        );
      }
      return this.summary(id);
    });
  }

  private finishCancelled(row: StoredJob, reason: string, now: number): void {
    const error: JobError = { code: 'JOB_CANCELLED', message: `cancelled: ${reason}`, retryable: false };
    this.sql(
      `UPDATE jobs_jobs SET state = 'cancelled', error = ?, cancel_reason = ?, finished_at = ?, wait_reason = NULL,
       lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL WHERE id = ?`,
    ).run(JSON.stringify(error), reason, now, row.id);
    this.t.emit({
      type: 'job.cancelled',
      jobId: row.id,
      jobType: row.type,
      at: now,
      attempt: row.attempts,
      reason,
    });
    this.t.onFinished(row.id, 'cancelled', error, now);
  }

  async retry(id: string): Promise<JobSummary> {
    return this.write(() => {
      const row = this.row(id);
      if (!row) throw jobNotFound(id);
      if (row.state !== 'failed' && row.state !== 'cancelled') {
        throw stateConflict(id, `is ${row.state}; only failed or cancelled jobs can be retried`);
      }
      const fatal = this.t.revive(id, this.clock.now());
      if (fatal !== null)
        throw stateConflict(id, `its dependency ${fatal} failed or was cancelled; retry that first`);
      return this.summary(id);
    });
  }

  subscribe(listener: JobEventListener): Unsubscribe {
    return this.feed.subscribe(listener);
  }

  onSignal(listener: (signal: StoreSignal) => void): Unsubscribe {
    return this.feed.onSignal(listener);
  }

  async claim(req: ClaimRequest): Promise<ClaimResult> {
    return this.write(() => claimJobs(this.sql, this.t, req, this.clock.now()));
  }

  async heartbeat(leases: readonly Lease[], leaseMs: number): Promise<HeartbeatResult> {
    return this.write(() => {
      const expires = this.clock.now() + leaseMs;
      const result: HeartbeatResult = { lost: [], cancelRequested: [] };
      for (const lease of leases) {
        const r = this.sql(
          `UPDATE jobs_jobs SET lease_expires_at = ? WHERE id = ? AND lease_token = ? AND state = 'active'
           RETURNING cancel_requested`,
        ).get(expires, lease.jobId, lease.token) as { cancel_requested: number } | undefined;
        if (!r) result.lost.push(lease.jobId);
        else if (r.cancel_requested === 1) result.cancelRequested.push(lease.jobId);
      }
      return result;
    });
  }

  async saveProgress(lease: Lease, progress: ProgressSnapshot): Promise<void> {
    await this.write(() => {
      const changed = this.sql(
        "UPDATE jobs_jobs SET progress = ? WHERE id = ? AND lease_token = ? AND state = 'active'",
      ).run(JSON.stringify(progress), lease.jobId, lease.token).changes;
      if (changed === 1) {
        this.t.emit({
          type: 'job.progress',
          jobId: lease.jobId,
          jobType: lease.type,
          at: progress.updatedAt,
          attempt: lease.attempt,
          progress,
        });
      }
    });
  }

  async finish(lease: Lease, outcome: Outcome): Promise<FinishResult> {
    // Claims are cheap here (group commit), so the next job comes through the worker's claim.
    const kept = await this.write(() => {
      const row = this.sql(
        "SELECT * FROM jobs_jobs WHERE id = ? AND lease_token = ? AND state = 'active'",
      ).get(lease.jobId, lease.token) as StoredJob | undefined;
      if (!row) return false;
      const now = this.clock.now();
      const attemptEnd = (kind: string, error: JobError | null) =>
        this.sql(
          'UPDATE jobs_attempts SET finished_at = ?, outcome = ?, error = ? WHERE job_id = ? AND attempt = ?',
        ).run(now, kind, error ? JSON.stringify(error) : null, row.id, row.attempts);
      const cancelRequested = row.cancel_requested === 1 && outcome.kind !== 'completed';
      if (outcome.kind === 'cancelled' || cancelRequested) {
        const reason = row.cancel_reason ?? 'requested';
        attemptEnd('cancelled', null);
        this.finishCancelled(row, reason, now);
      } else if (outcome.kind === 'completed') {
        attemptEnd('completed', null);
        this.sql(
          `UPDATE jobs_jobs SET state = 'completed', result = ?, progress = COALESCE(?, progress), error = NULL,
           finished_at = ?, lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL WHERE id = ?`,
        ).run(outcome.resultJson, outcome.progress ? JSON.stringify(outcome.progress) : null, now, row.id);
        this.t.emit({
          type: 'job.completed',
          jobId: row.id,
          jobType: row.type,
          at: now,
          attempt: row.attempts,
        });
        this.t.onFinished(row.id, 'completed', null, now);
      } else if (outcome.kind === 'interrupted' || outcome.retryAt !== null) {
        const runAt = outcome.kind === 'interrupted' ? now : outcome.retryAt!;
        attemptEnd(outcome.kind === 'interrupted' ? 'interrupted' : 'failed', outcome.error);
        this.requeue(row, runAt, outcome.error, now, outcome.kind === 'interrupted');
      } else {
        attemptEnd('failed', outcome.error);
        this.sql(
          `UPDATE jobs_jobs SET state = 'failed', error = ?, finished_at = ?, lease_owner = NULL, lease_token = NULL,
           lease_expires_at = NULL WHERE id = ?`,
        ).run(JSON.stringify(outcome.error), now, row.id);
        this.t.emit({
          type: 'job.failed',
          jobId: row.id,
          jobType: row.type,
          at: now,
          attempt: row.attempts,
          error: outcome.error,
        });
        this.t.onFinished(row.id, 'failed', outcome.error, now);
      }
      return true;
    });
    return { kept, next: null };
  }

  /** Back to `queued` after a failed, interrupted or expired attempt; keeps its place when `front`. */
  private requeue(row: StoredJob, runAt: number, error: JobError, now: number, front: boolean): void {
    this.sql(
      `UPDATE jobs_jobs SET state = 'queued', run_at = ?, queued_at = ?, error = ?, wait_reason = ?,
       ready_seq = CASE WHEN ? THEN ready_seq ELSE ? END,
       lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL WHERE id = ?`,
    ).run(
      runAt > now ? runAt : 0,
      Math.max(runAt, now),
      JSON.stringify(error),
      runAt > now ? retryReason(row.attempts, runAt, error) : null,
      front ? 1 : 0,
      front ? 0 : this.t.nextReadySeq(),
      row.id,
    );
    this.t.emit({
      type: 'job.retrying',
      jobId: row.id,
      jobType: row.type,
      at: now,
      attempt: row.attempts,
      runAt,
      error,
    });
  }

  async maintain(): Promise<void> {
    const now = this.clock.now();
    await this.write(() => {
      const expired = this.sql(
        "SELECT * FROM jobs_jobs WHERE state = 'active' AND lease_expires_at < ? ORDER BY lease_expires_at LIMIT 100",
      ).all(now) as StoredJob[];
      for (const row of expired) {
        const error = leaseExpiredError(row.lease_owner, row.attempts);
        this.sql(
          "UPDATE jobs_attempts SET finished_at = ?, outcome = 'lease-expired', error = ? WHERE job_id = ? AND attempt = ?",
        ).run(now, JSON.stringify(error), row.id, row.attempts);
        if (row.cancel_requested === 1) this.finishCancelled(row, row.cancel_reason ?? 'requested', now);
        else if (row.attempts >= row.max_attempts) {
          const final = { ...error, retryable: false };
          this.sql(
            `UPDATE jobs_jobs SET state = 'failed', error = ?, finished_at = ?, lease_owner = NULL, lease_token = NULL,
             lease_expires_at = NULL WHERE id = ?`,
          ).run(JSON.stringify(final), now, row.id);
          this.t.emit({
            type: 'job.failed',
            jobId: row.id,
            jobType: row.type,
            at: now,
            attempt: row.attempts,
            error: final,
          });
          this.t.onFinished(row.id, 'failed', final, now);
        } else this.requeue(row, now, error, now, true);
      }
      if (now - this.lastPrune > 5_000) {
        this.lastPrune = now;
        // Rows are appended in time order, so the old ones are a prefix of the rowid range.
        const keepFrom = this.sql('SELECT seq FROM jobs_events WHERE at >= ? ORDER BY seq LIMIT 1')
          .pluck()
          .get(now - this.retentionMs) as number | undefined;
        if (keepFrom !== undefined) this.sql('DELETE FROM jobs_events WHERE seq < ?').run(keepFrom);
        else this.sql('DELETE FROM jobs_events WHERE at < ?').run(now - this.retentionMs);
        this.sql('DELETE FROM jobs_cost_ledger WHERE at < ?').run(now - COST_WINDOW_MS);
      }
    });
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.commits.flush();
      this.feed.close();
      if (this.options.ownsDatabase) this.db.close();
    })();
    return this.closing;
  }
}
