import type { AttemptRecord, JobDependency, JobEvent, JobState } from '../job-queue.js';
import type { StoredAttempt, StoredJob } from '../records.js';

/** A Redis hash (every value a string, '' for null) as the stored-job shape both backends share. */
export function fromHash(h: Record<string, string>): StoredJob {
  const n = (k: string) => Number(h[k] ?? 0);
  const nn = (k: string) => (h[k] === undefined || h[k] === '' ? null : Number(h[k]));
  const s = (k: string) => (h[k] === undefined || h[k] === '' ? null : (h[k] as string));
  return {
    id: h.id as string,
    seq: n('seq'),
    type: h.type as string,
    state: h.state as JobState,
    priority: n('priority'),
    payload: h.payload ?? 'null',
    run_at: n('run_at'),
    attempts: n('attempts'),
    max_attempts: n('max_attempts'),
    timeout_ms: n('timeout_ms'),
    memory_mb: n('memory_mb'),
    cost: n('cost'),
    wait_reason: s('wait_reason'),
    cancel_requested: n('cancel_requested'),
    cancel_reason: s('cancel_reason'),
    lease_owner: s('lease_owner'),
    lease_expires_at: nn('lease_expires_at'),
    progress: s('progress'),
    result: s('result'),
    error: s('error'),
    created_at: n('created_at'),
    queued_at: nn('queued_at'),
    started_at: nn('started_at'),
    finished_at: nn('finished_at'),
  };
}

/** A record's dependencies, from its `deps` field. */
export function dependenciesFromHash(h: Record<string, string>): JobDependency[] {
  if (!h.deps) return [];
  return (JSON.parse(h.deps) as Array<{ id: string; optional?: boolean }>).map((d) => ({
    id: d.id,
    optional: d.optional === true,
  }));
}

/** One entry of the attempt history list. */
export function attemptFromJson(text: string): StoredAttempt {
  const a = JSON.parse(text) as AttemptRecord;
  return {
    attempt: a.attempt,
    worker_id: a.workerId,
    started_at: a.startedAt,
    finished_at: a.finishedAt ?? null,
    waited_ms: a.waitedMs,
    outcome: a.outcome,
    error: a.error ? JSON.stringify(a.error) : null,
  };
}

/** The attempt in progress, from the record's current-attempt fields. */
export function runningAttempt(h: Record<string, string>): StoredAttempt {
  return {
    attempt: Number(h.attempts ?? 0),
    worker_id: h.lease_owner ?? '',
    started_at: Number(h.started_at ?? 0),
    finished_at: null,
    waited_ms: Number(h.attempt_waited ?? 0),
    outcome: 'running',
    error: null,
  };
}

/** Lua's JSON encoder writes an empty array as `{}`; put the arrays back. */
export function normalizeEvent(e: JobEvent): JobEvent {
  if (e.type === 'job.queued' && !Array.isArray(e.waitingFor)) return { ...e, waitingFor: [] };
  if (e.type === 'job.progress' && !Array.isArray(e.progress.steps)) {
    return { ...e, progress: { ...e.progress, steps: [] } };
  }
  return e;
}
