import type { Clock } from '../clock.js';
import { jobNotFound } from '../job-errors.js';
import type { JobDependency, JobDetail, JobPage, JobState, JobStats, JobSummary } from '../job-queue.js';
import { jobStates } from '../job-queue.js';
import type { ListQuery } from '../job-store.js';
import { type StoredAttempt, type StoredJob, toDetail, toSummary } from '../records.js';
import type { SqliteDatabase } from './open-database.js';
import type { Sql } from './statements.js';

/** Queries: one job, pages of jobs, stats. Reads never wait for writers (WAL). */
export class SqliteReads {
  constructor(
    private readonly db: SqliteDatabase,
    private readonly sql: Sql,
    private readonly clock: Clock,
  ) {}

  row(id: string): StoredJob | undefined {
    return this.sql('SELECT * FROM jobs_jobs WHERE id = ?').get(id) as StoredJob | undefined;
  }

  dependenciesOf(ids: readonly string[]): Map<string, JobDependency[]> {
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

  summary(id: string): JobSummary {
    const row = this.row(id);
    if (!row) throw jobNotFound(id);
    return toSummary(row, this.dependenciesOf([id]).get(id) ?? []);
  }

  get(id: string): JobDetail | undefined {
    const row = this.row(id);
    if (!row) return undefined;
    const attempts = this.sql(
      'SELECT attempt, worker_id, started_at, finished_at, waited_ms, outcome, error FROM jobs_attempts WHERE job_id = ? ORDER BY attempt',
    ).all(id) as StoredAttempt[];
    return toDetail(row, this.dependenciesOf([id]).get(id) ?? [], attempts, this.clock.now());
  }

  list(q: ListQuery): JobPage {
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

  stats(windowMs: number): JobStats {
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
}
