import { randomUUID } from 'node:crypto';
import type { ClaimedJob, ClaimRequest, ClaimResult } from '../job-store.js';
import { type Candidate, COST_WINDOW_MS, type CostEntry, describeHold, schedule } from '../scheduler.js';
import type { Sql } from './statements.js';
import type { SqliteTransitions } from './transitions.js';

/** Held jobs whose reason is written per claim: enough to show why, without a write storm. */
const HELD_REASON_WRITES = 20;

/**
 * Inside the caller's transaction: the heads of each type with a free slot, through the scheduler; the
 * chosen ones are leased, the held ones say why they wait.
 */
export function claimJobs(sql: Sql, t: SqliteTransitions, req: ClaimRequest, now: number): ClaimResult {
  const candidates: Array<Candidate & { wait_reason: string | null }> = [];
  for (const [type, slots] of Object.entries(req.freeSlots)) {
    const rows = sql(
      `SELECT id, type, priority, ready_seq AS "order", memory_mb AS memoryMb, cost, wait_reason FROM jobs_jobs
         WHERE state = 'queued' AND type = ? AND run_at <= ? ORDER BY priority, ready_seq LIMIT ?`,
    ).all(type, now, slots) as Array<Candidate & { wait_reason: string | null }>;
    candidates.push(...rows);
  }
  let wakeAt = sql("SELECT MIN(run_at) FROM jobs_jobs WHERE state = 'queued' AND run_at > ?")
    .pluck()
    .get(now) as number | null;
  if (candidates.length === 0) return { claimed: [], wakeAt, contended: false };

  const ledger =
    req.costBudgetPerHour === null
      ? []
      : (sql('SELECT at, amount FROM jobs_cost_ledger WHERE at > ?').all(
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
  for (const c of decision.start) claimed.push(startJob(sql, t, c, req, now));
  for (const { candidate, hold } of decision.held.slice(0, HELD_REASON_WRITES)) {
    const reason = describeHold(hold, hold.kind === 'memory' ? req.workerId : undefined);
    const before = candidates.find((x) => x.id === candidate.id)?.wait_reason;
    if (reason !== before) sql('UPDATE jobs_jobs SET wait_reason = ? WHERE id = ?').run(reason, candidate.id);
  }
  return { claimed, wakeAt, contended: decision.held.length > 0 };
}

/** Leases one job to the worker: a new attempt, its lease, its spending, `job.started`. */
function startJob(sql: Sql, t: SqliteTransitions, c: Candidate, req: ClaimRequest, now: number): ClaimedJob {
  const token = randomUUID();
  const r = sql(
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
  sql(
    `INSERT INTO jobs_attempts (job_id, attempt, worker_id, started_at, waited_ms, outcome)
       VALUES (?, ?, ?, ?, ?, 'running')`,
  ).run(c.id, r.attempts, req.workerId, now, Math.max(0, now - (r.queued_at ?? now)));
  if (r.cost > 0) {
    sql('INSERT OR REPLACE INTO jobs_cost_ledger (job_id, attempt, at, amount) VALUES (?, ?, ?, ?)').run(
      c.id,
      r.attempts,
      now,
      r.cost,
    );
  }
  t.emit({
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
