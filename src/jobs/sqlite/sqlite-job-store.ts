import { randomUUID } from 'node:crypto';
import type { Logger } from '../../log.js';
import { type Clock, systemClock } from '../clock.js';
import { dependencyUnknown, jobNotFound, leaseExpiredError, stateConflict } from '../job-errors.js';
import type {
  JobDependency,
  JobDetail,
  JobError,
  JobEventListener,
  JobPage,
  JobState,
  JobStats,
  JobSummary,
  Unsubscribe,
} from '../job-queue.js';
import { jobStates, priorityFromRank } from '../job-queue.js';
import type {
  ClaimedJob,
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
import {
  retryReason,
  type StoredAttempt,
  type StoredJob,
  toDetail,
  toSummary,
  waitingForReason,
} from '../records.js';
import { type Candidate, COST_WINDOW_MS, type CostEntry, describeHold, schedule } from '../scheduler.js';
import { SqliteEventFeed } from './event-feed.js';
import type { SqliteDatabase } from './open-database.js';
import { migrateJobsSchema } from './schema.js';
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

const HELD_REASON_WRITES = 20;

/** The embedded backend: one SQLite file (WAL) that the server, workers and the CLI can share. */
export class SqliteJobStore implements JobStore {
  readonly kind = 'sqlite' as const;
  private readonly clock: Clock;
  private readonly feed: SqliteEventFeed;
  private readonly t: SqliteTransitions;
  private readonly retentionMs: number;
  private lastPrune = 0;
  private readonly batch: Array<{
    fn: () => unknown;
    resolve: (v: unknown) => void;
    reject: (e: unknown) => void;
  }> = [];
  private closing: Promise<void> | null = null;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly options: SqliteJobStoreOptions,
  ) {
    migrateJobsSchema(db);
    this.clock = options.clock ?? systemClock;
    this.retentionMs = options.eventRetentionMs ?? 120_000;
    this.feed = new SqliteEventFeed(db, this.clock, options.eventPollMs ?? 250, options.log);
    this.t = new SqliteTransitions(db, this.feed);
  }

  private sql(text: string) {
    return this.t.sql(text);
  }

  /**
   * Runs `fn` in a write transaction. Writes arriving in the same tick share one transaction (group
   * commit: one lock and one WAL append for many jobs), each in its own savepoint so that one failing
   * operation rolls back only itself. Events are pushed to local listeners after the commit.
   */
  private write<T>(fn: () => T): Promise<T> {
    if (this.closing) return Promise.reject(new Error('the SQLite job store is closed'));
    return new Promise<T>((resolve, reject) => {
      this.batch.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      if (this.batch.length === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const ops = this.batch.splice(0);
    if (ops.length === 0) return;
    const outcomes: Array<{ ok: boolean; value: unknown }> = [];
    try {
      this.db
        .transaction(() => {
          outcomes.length = 0;
          for (const op of ops) {
            try {
              outcomes.push({ ok: true, value: this.db.transaction(op.fn)() });
            } catch (e) {
              outcomes.push({ ok: false, value: e });
            }
          }
        })
        .immediate();
    } catch (e) {
      // The commit itself failed (database locked for too long, disk full): nothing was written.
      outcomes.length = 0;
      for (let i = 0; i < ops.length; i++) outcomes.push({ ok: false, value: e });
    }
    this.feed.kick();
    ops.forEach((op, i) => {
      const o = outcomes[i];
      if (o?.ok) op.resolve(o.value);
      else op.reject(o?.value);
    });
  }

  private row(id: string): StoredJob | undefined {
    return this.sql('SELECT * FROM jobs_jobs WHERE id = ?').get(id) as StoredJob | undefined;
  }

  private dependenciesOf(ids: readonly string[]): Map<string, JobDependency[]> {
    const out = new Map<string, JobDependency[]>();
    if (ids.length === 0) return out;
    const rows = (
      ids.length === 1
        ? this.sql('SELECT job_id, dep_id, optional FROM jobs_deps WHERE job_id = ? ORDER BY ord').all(ids[0])
        : this.db
            .prepare(
              `SELECT job_id, dep_id, optional FROM jobs_deps WHERE job_id IN (${ids.map(() => '?').join(',')}) ORDER BY job_id, ord`,
            )
            .all(...ids)
    ) as Array<{ job_id: string; dep_id: string; optional: number }>;
    for (const r of rows) {
      const list = out.get(r.job_id) ?? [];
      list.push({ id: r.dep_id, optional: r.optional === 1 });
      out.set(r.job_id, list);
    }
    return out;
  }

  private summary(id: string): JobSummary {
    const row = this.row(id);
    if (!row) throw jobNotFound(id);
    return toSummary(row, this.dependenciesOf([id]).get(id) ?? []);
  }

  async insert(job: NewJob): Promise<JobSummary> {
    return this.write(() => {
      const existing = this.row(job.id);
      if (existing) {
        if (existing.type !== job.type) {
          throw stateConflict(job.id, `already exists with type "${existing.type}", not "${job.type}"`);
        }
        return toSummary(existing, this.dependenciesOf([job.id]).get(job.id) ?? []);
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

  async get(id: string): Promise<JobDetail | undefined> {
    const row = this.row(id);
    if (!row) return undefined;
    const attempts = this.sql(
      'SELECT attempt, worker_id, started_at, finished_at, waited_ms, outcome, error FROM jobs_attempts WHERE job_id = ? ORDER BY attempt',
    ).all(id) as StoredAttempt[];
    return toDetail(row, this.dependenciesOf([id]).get(id) ?? [], attempts, this.clock.now());
  }

  async list(q: ListQuery): Promise<JobPage> {
    const where: string[] = [];
    const params: Array<string | number> = [];
    if (q.states && q.states.length > 0) {
      where.push(`state IN (${q.states.map(() => '?').join(',')})`);
      params.push(...q.states);
    }
    if (q.type !== null) {
      where.push('type = ?');
      params.push(q.type);
    }
    if (q.priority !== null) {
      where.push('priority = ?');
      params.push(q.priority);
    }
    const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const total = this.db
      .prepare(`SELECT COUNT(*) FROM jobs_jobs ${clause}`)
      .pluck()
      .get(...params) as number;
    const rows = this.db
      .prepare(`SELECT * FROM jobs_jobs ${clause} ORDER BY seq DESC LIMIT ? OFFSET ?`)
      .all(...params, q.limit, q.offset) as StoredJob[];
    const deps = this.dependenciesOf(rows.map((r) => r.id));
    return {
      jobs: rows.map((r) => toSummary(r, deps.get(r.id) ?? [])),
      total,
      limit: q.limit,
      offset: q.offset,
    };
  }

  async stats(windowMs: number): Promise<JobStats> {
    const since = this.clock.now() - windowMs;
    const counts = Object.fromEntries(jobStates.map((s) => [s, 0])) as Record<JobState, number>;
    for (const r of this.sql('SELECT state, COUNT(*) AS n FROM jobs_jobs GROUP BY state').all() as Array<{
      state: JobState;
      n: number;
    }>) {
      counts[r.state] = r.n;
    }
    const finished = { completed: 0, failed: 0, cancelled: 0 };
    for (const r of this.sql(
      'SELECT state, COUNT(*) AS n FROM jobs_jobs WHERE finished_at > ? GROUP BY state',
    ).all(since) as Array<{ state: keyof typeof finished; n: number }>) {
      if (r.state in finished) finished[r.state] = r.n;
    }
    const wait = this.sql('SELECT AVG(waited_ms) FROM jobs_attempts WHERE started_at > ?')
      .pluck()
      .get(since) as number | null;
    const run = this.sql(
      `SELECT AVG(a.finished_at - a.started_at) FROM jobs_jobs j
       JOIN jobs_attempts a ON a.job_id = j.id AND a.attempt = j.attempts
       WHERE j.finished_at > ? AND j.state = 'completed'`,
    )
      .pluck()
      .get(since) as number | null;
    return {
      counts,
      windowMs,
      ...finished,
      throughputPerMinute: finished.completed / (windowMs / 60_000),
      meanWaitMs: wait === null ? null : Math.round(wait),
      meanRunMs: run === null ? null : Math.round(run),
    };
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
    return this.write(() => {
      const now = this.clock.now();
      const candidates: Array<Candidate & { wait_reason: string | null }> = [];
      for (const [type, slots] of Object.entries(req.freeSlots)) {
        const rows = this.sql(
          `SELECT id, type, priority, ready_seq AS "order", memory_mb AS memoryMb, cost, wait_reason FROM jobs_jobs
           WHERE state = 'queued' AND type = ? AND run_at <= ? ORDER BY priority, ready_seq LIMIT ?`,
        ).all(type, now, slots) as Array<Candidate & { wait_reason: string | null }>;
        candidates.push(...rows);
      }
      let wakeAt = this.sql("SELECT MIN(run_at) FROM jobs_jobs WHERE state = 'queued' AND run_at > ?")
        .pluck()
        .get(now) as number | null;
      if (candidates.length === 0) return { claimed: [], wakeAt, contended: false };

      const ledger =
        req.costBudgetPerHour === null
          ? []
          : (this.sql('SELECT at, amount FROM jobs_cost_ledger WHERE at > ?').all(
              now - COST_WINDOW_MS,
            ) as CostEntry[]);
      const decision = schedule(candidates, {
        freeSlots: req.freeSlots,
        memoryBudgetMb: req.memoryBudgetMb,
        memoryUsedMb: req.memoryUsedMb,
        costBudgetPerHour: req.costBudgetPerHour,
        costLedger: ledger,
        now,
      });
      if (decision.wakeAt !== null) wakeAt = Math.min(wakeAt ?? decision.wakeAt, decision.wakeAt);

      const claimed: ClaimedJob[] = [];
      for (const c of decision.start) claimed.push(this.start(c, req, now));
      for (const { candidate, hold } of decision.held.slice(0, HELD_REASON_WRITES)) {
        const reason = describeHold(hold, hold.kind === 'memory' ? req.workerId : undefined);
        const before = candidates.find((x) => x.id === candidate.id)?.wait_reason;
        if (reason !== before)
          this.sql('UPDATE jobs_jobs SET wait_reason = ? WHERE id = ?').run(reason, candidate.id);
      }
      return { claimed, wakeAt, contended: decision.held.length > 0 };
    });
  }

  private start(c: Candidate, req: ClaimRequest, now: number): ClaimedJob {
    const token = randomUUID();
    const r = this.sql(
      `UPDATE jobs_jobs SET state = 'active', attempts = attempts + 1, lease_owner = ?, lease_token = ?,
       lease_expires_at = ?, started_at = ?, wait_reason = NULL, run_at = 0 WHERE id = ?
       RETURNING attempts, payload, max_attempts, timeout_ms, memory_mb, cost, queued_at`,
    ).get(req.workerId, token, now + req.leaseMs, now, c.id) as {
      attempts: number;
      payload: string;
      max_attempts: number;
      timeout_ms: number;
      memory_mb: number;
      cost: number;
      queued_at: number | null;
    };
    this.sql(
      `INSERT INTO jobs_attempts (job_id, attempt, worker_id, started_at, waited_ms, outcome)
       VALUES (?, ?, ?, ?, ?, 'running')`,
    ).run(c.id, r.attempts, req.workerId, now, Math.max(0, now - (r.queued_at ?? now)));
    if (r.cost > 0) {
      this.sql(
        'INSERT OR REPLACE INTO jobs_cost_ledger (job_id, attempt, at, amount) VALUES (?, ?, ?, ?)',
      ).run(c.id, r.attempts, now, r.cost);
    }
    this.t.emit({
      type: 'job.started',
      jobId: c.id,
      jobType: c.type,
      at: now,
      attempt: r.attempts,
      workerId: req.workerId,
    });
    return {
      lease: { jobId: c.id, type: c.type, attempt: r.attempts, token, workerId: req.workerId },
      payloadJson: r.payload,
      maxAttempts: r.max_attempts,
      timeoutMs: r.timeout_ms,
      memoryMb: r.memory_mb,
      cost: r.cost,
    };
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
      this.flush();
      this.feed.close();
      if (this.options.ownsDatabase) this.db.close();
    })();
    return this.closing;
  }
}
