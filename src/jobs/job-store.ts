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
} from './job-queue.js';
import type { ProgressSnapshot } from './progress.js';

/**
 * What a backend implements. The shared parts — validation against handlers (managed-job-queue.ts),
 * the worker loop, retries, timeouts and progress (worker.ts) — sit on top, so both backends behave
 * the same and are held to it by one conformance suite. Every state change and its events happen in
 * one transaction (SQLite) or one Lua script (Redis).
 */
export interface JobStore {
  readonly kind: 'sqlite' | 'redis';

  /** Stores a validated job. The same id again returns the existing job (JOB_STATE_CONFLICT if its type differs). */
  insert(job: NewJob): Promise<JobSummary>;
  get(id: string): Promise<JobDetail | undefined>;
  list(query: ListQuery): Promise<JobPage>;
  stats(windowMs: number): Promise<JobStats>;
  cancel(id: string, reason: string): Promise<JobSummary>;
  retry(id: string): Promise<JobSummary>;
  subscribe(listener: JobEventListener): Unsubscribe;

  /** Leases runnable jobs as the scheduler allows, in one atomic step per job. */
  claim(request: ClaimRequest): Promise<ClaimResult>;
  /** Extends the leases; reports the ones this worker no longer holds and the ones asked to cancel. */
  heartbeat(leases: readonly Lease[], leaseMs: number): Promise<HeartbeatResult>;
  saveProgress(lease: Lease, progress: ProgressSnapshot): Promise<void>;
  /**
   * Records how an attempt ended (`kept` is false when the lease was lost: another worker owns the job
   * now). With `next`, a store may hand back the next job of the same type in the same round trip, as
   * BullMQ does; it must respect the request's memory allowance and the cost budget.
   */
  finish(lease: Lease, outcome: Outcome, next?: NextRequest): Promise<FinishResult>;
  /** Periodic upkeep: expired leases, due retries, old events. */
  maintain(): Promise<void>;
  /** Hints for workers: something became runnable, or a running job was asked to cancel. */
  onSignal(listener: (signal: StoreSignal) => void): Unsubscribe;
  close(): Promise<void>;
}

export interface NewJob {
  id: string;
  type: string;
  payloadJson: string;
  /** 0 = urgent … 3 = low. */
  priority: number;
  dependencies: JobDependency[];
  /** Attempts allowed per run; `retry()` grants this many again. */
  maxAttempts: number;
  timeoutMs: number;
  memoryMb: number;
  cost: number;
}

export interface ListQuery {
  states: JobState[] | null;
  type: string | null;
  priority: number | null;
  limit: number;
  offset: number;
}

export interface Lease {
  jobId: string;
  type: string;
  attempt: number;
  token: string;
  workerId: string;
  /** Backend-private (the BullMQ job). */
  handle?: unknown;
}

export interface ClaimedJob {
  lease: Lease;
  payloadJson: string;
  maxAttempts: number;
  timeoutMs: number;
  memoryMb: number;
  cost: number;
}

export interface ClaimRequest {
  workerId: string;
  /** Only types with a free slot on this worker. */
  freeSlots: Record<string, number>;
  memoryBudgetMb: number;
  memoryUsedMb: number;
  costBudgetPerHour: number | null;
  leaseMs: number;
}

export interface ClaimResult {
  claimed: ClaimedJob[];
  /** The next moment something not claimable now may become so (a back-off ends, the cost budget frees). */
  wakeAt: number | null;
  /** Some runnable job waits for memory or the cost budget: jobs should be started in priority order. */
  contended: boolean;
}

/** Asks `finish` for the next job of the same type, into the slot the finished one frees. */
export interface NextRequest {
  workerId: string;
  leaseMs: number;
  /** Memory the next job may need (Infinity: any). */
  memoryAllowanceMb: number;
  costBudgetPerHour: number | null;
}

export interface FinishResult {
  kept: boolean;
  next: ClaimedJob | null;
  /** A next job was there but did not fit the budgets (it went back to the queue). */
  held?: boolean;
}

export interface HeartbeatResult {
  lost: string[];
  cancelRequested: string[];
}

export type Outcome =
  | { kind: 'completed'; resultJson: string; progress: ProgressSnapshot | null }
  | { kind: 'failed'; error: JobError; retryAt: number | null }
  | { kind: 'cancelled'; reason: string }
  /** The worker shut down mid-job: back to the queue at once, the attempt counted. */
  | { kind: 'interrupted'; error: JobError };

export type StoreSignal = { kind: 'ready'; type: string | null } | { kind: 'cancel'; jobId: string };
