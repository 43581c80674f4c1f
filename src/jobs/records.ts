import type {
  AttemptRecord,
  JobDependency,
  JobDetail,
  JobError,
  JobState,
  JobSummary,
  JobTimings,
} from './job-queue.js';
import { priorityFromRank } from './job-queue.js';
import type { ProgressSnapshot } from './progress.js';

/**
 * The flat shape both backends store a job in (SQLite columns, Redis hash fields), and its conversion to
 * the public records. Keeping one shape keeps the two backends' answers identical.
 */
export interface StoredJob {
  id: string;
  seq: number;
  type: string;
  state: JobState;
  priority: number;
  payload: string;
  run_at: number;
  attempts: number;
  max_attempts: number;
  timeout_ms: number;
  memory_mb: number;
  cost: number;
  wait_reason: string | null;
  cancel_requested: number;
  cancel_reason: string | null;
  lease_owner: string | null;
  lease_expires_at: number | null;
  progress: string | null;
  result: string | null;
  error: string | null;
  created_at: number;
  queued_at: number | null;
  started_at: number | null;
  finished_at: number | null;
}

export interface StoredAttempt {
  attempt: number;
  worker_id: string;
  started_at: number;
  finished_at: number | null;
  waited_ms: number;
  outcome: AttemptRecord['outcome'];
  error: string | null;
}

function parseJson<T>(text: string | null): T | null {
  if (text === null || text === '') return null;
  return JSON.parse(text) as T;
}

/** A stored job as a list entry. */
export function toSummary(row: StoredJob, dependencies: JobDependency[]): JobSummary {
  const progress = parseJson<ProgressSnapshot>(row.progress);
  return {
    id: row.id,
    type: row.type,
    state: row.state,
    priority: priorityFromRank(row.priority),
    dependencies,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    percent: progress?.percent ?? null,
    etaMs: row.state === 'active' ? (progress?.etaMs ?? null) : null,
    message: progress?.message ?? null,
    waitReason: row.state === 'queued' || row.state === 'waiting' ? row.wait_reason : null,
    cancelRequested: row.cancel_requested === 1,
    error: parseJson<JobError>(row.error),
    memoryMb: row.memory_mb,
    cost: row.cost,
    timeoutMs: row.timeout_ms,
    createdAt: row.created_at,
    queuedAt: row.queued_at,
    runAt: row.state === 'queued' && row.run_at > 0 ? row.run_at : null,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    leaseOwner: row.state === 'active' ? row.lease_owner : null,
    leaseExpiresAt: row.state === 'active' ? row.lease_expires_at : null,
  };
}

/** A stored attempt as the public record. */
export function toAttempt(row: StoredAttempt): AttemptRecord {
  return {
    attempt: row.attempt,
    workerId: row.worker_id,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    waitedMs: row.waited_ms,
    outcome: row.outcome,
    error: parseJson<JobError>(row.error),
  };
}

/** Wait, run and total time of a job (run time so far while active). */
export function timingsOf(s: JobSummary, now: number): JobTimings {
  const end = s.finishedAt ?? (s.state === 'active' ? now : null);
  return {
    waitMs: s.startedAt !== null && s.queuedAt !== null ? Math.max(0, s.startedAt - s.queuedAt) : null,
    runMs: s.startedAt !== null && end !== null ? Math.max(0, end - s.startedAt) : null,
    totalMs: s.finishedAt !== null ? s.finishedAt - s.createdAt : null,
  };
}

/** A stored job in full, with its attempts and timings. */
export function toDetail(
  row: StoredJob,
  dependencies: JobDependency[],
  attempts: StoredAttempt[],
  now: number,
): JobDetail {
  const summary = toSummary(row, dependencies);
  return {
    ...summary,
    payload: JSON.parse(row.payload) as unknown,
    result: parseJson<unknown>(row.result),
    progress: parseJson<ProgressSnapshot>(row.progress),
    attemptHistory: attempts.map(toAttempt),
    timings: timingsOf(summary, now),
  };
}

/** "waiting for j_1, j_2" — the reason a job in `waiting` shows. */
export function waitingForReason(ids: readonly string[]): string {
  const shown = ids.slice(0, 5).join(', ');
  const more = ids.length > 5 ? ` and ${ids.length - 5} more` : '';
  return `waiting for ${ids.length === 1 ? 'dependency' : `${ids.length} dependencies`}: ${shown}${more}`;
}

/** The reason a job backing off after a failure shows. */
export function retryReason(attempt: number, runAt: number, error: JobError): string {
  return `attempt ${attempt} failed (${error.code}: ${truncate(error.message, 160)}); next attempt at ${new Date(runAt).toISOString()}`;
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}
