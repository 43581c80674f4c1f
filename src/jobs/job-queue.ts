import type { ProgressSnapshot } from './progress.js';

/**
 * The job queue as the rest of Reelforge sees it. Two backends implement it (SQLite, BullMQ on Redis)
 * and pass the same conformance suite (test/conformance/job-queue.ts).
 *
 * States: `waiting` (for dependencies) → `queued` (runnable; may carry a back-off time or a budget
 * note in `waitReason`) → `active` (leased by a worker) → `completed` | `failed` | `cancelled`.
 */
export const jobStates = ['queued', 'waiting', 'active', 'completed', 'failed', 'cancelled'] as const;
export type JobState = (typeof jobStates)[number];

export const finishedStates: ReadonlySet<JobState> = new Set(['completed', 'failed', 'cancelled']);

/** Completed, failed or cancelled. */
export function isFinished(state: JobState): boolean {
  return finishedStates.has(state);
}

/** Urgent first; first in, first out within one priority. A running job is never preempted. */
export const priorities = ['urgent', 'high', 'medium', 'low'] as const;
export type Priority = (typeof priorities)[number];

/** 0 for urgent … 3 for low: the order jobs start in. */
export function priorityRank(p: Priority): number {
  return priorities.indexOf(p);
}

/** The priority of a stored rank. */
export function priorityFromRank(rank: number): Priority {
  return priorities[rank] ?? 'medium';
}

export interface JobDependency {
  id: string;
  /** An optional dependency only has to finish; if it fails, the dependent still runs. */
  optional: boolean;
}

export interface JobSpec<P = unknown> {
  type: string;
  payload: P;
  priority?: Priority;
  /** Jobs that must succeed first (existing ids). */
  dependsOn?: ReadonlyArray<string | { id: string; optional?: boolean }>;
  /** A caller-chosen id makes enqueue idempotent: the same id returns the existing job. */
  id?: string;
  /** Overrides the handler's timeout for this job. */
  timeoutMs?: number;
  /** Overrides the handler's attempt count for this job. */
  maxAttempts?: number;
}

export interface JobError {
  code: string;
  message: string;
  retryable: boolean;
  details?: unknown;
}

/** What lists show: everything but the payload, the result and the step tree. */
export interface JobSummary {
  id: string;
  type: string;
  state: JobState;
  priority: Priority;
  dependencies: JobDependency[];
  /** Attempts started so far. */
  attempts: number;
  maxAttempts: number;
  /** 0–100 while running or after; null before any progress. */
  percent: number | null;
  etaMs: number | null;
  message: string | null;
  /** Why a job that is not running is not running: dependencies, back-off, memory or cost budget. */
  waitReason: string | null;
  cancelRequested: boolean;
  error: JobError | null;
  memoryMb: number;
  cost: number;
  timeoutMs: number;
  createdAt: number;
  /** When the job last became runnable. */
  queuedAt: number | null;
  /** Earliest start (set while backing off after a failure). */
  runAt: number | null;
  /** Start of the latest attempt. */
  startedAt: number | null;
  finishedAt: number | null;
  leaseOwner: string | null;
  leaseExpiresAt: number | null;
}

export type AttemptOutcome =
  | 'running'
  | 'completed'
  | 'failed'
  | 'cancelled'
  | 'lease-expired'
  | 'interrupted';

export interface AttemptRecord {
  attempt: number;
  workerId: string;
  startedAt: number;
  finishedAt: number | null;
  /** Time from becoming runnable to this start. */
  waitedMs: number;
  outcome: AttemptOutcome;
  error: JobError | null;
}

export interface JobTimings {
  /** Queued → latest start. */
  waitMs: number | null;
  /** Latest start → finish (or → now while running). */
  runMs: number | null;
  /** Created → finish. */
  totalMs: number | null;
}

/** One job in full: payload, result, step tree, attempt history and timings. */
export interface JobDetail<P = unknown, R = unknown> extends JobSummary {
  payload: P;
  result: R | null;
  progress: ProgressSnapshot | null;
  attemptHistory: AttemptRecord[];
  timings: JobTimings;
}

export interface JobQuery {
  state?: JobState | readonly JobState[];
  type?: string;
  priority?: Priority;
  /** Page size, 1–500 (default 50). Newest first. */
  limit?: number;
  offset?: number;
}

export interface JobPage {
  jobs: JobSummary[];
  total: number;
  limit: number;
  offset: number;
}

export interface JobStats {
  counts: Record<JobState, number>;
  /** The window that the rates and means cover. */
  windowMs: number;
  completed: number;
  failed: number;
  cancelled: number;
  /** Jobs completed per minute over the window. */
  throughputPerMinute: number;
  /** Mean time from runnable to started, for attempts started in the window. */
  meanWaitMs: number | null;
  /** Mean run time of attempts that completed in the window. */
  meanRunMs: number | null;
}

export const jobEventTypes = [
  'job.queued',
  'job.started',
  'job.progress',
  'job.retrying',
  'job.completed',
  'job.failed',
  'job.cancelled',
] as const;
export type JobEventType = (typeof jobEventTypes)[number];

interface EventBase {
  jobId: string;
  jobType: string;
  at: number;
}

export type JobEvent =
  | (EventBase & {
      type: 'job.queued';
      state: 'queued' | 'waiting';
      priority: Priority;
      waitingFor: string[];
    })
  | (EventBase & { type: 'job.started'; attempt: number; workerId: string })
  | (EventBase & { type: 'job.progress'; attempt: number; progress: ProgressSnapshot })
  | (EventBase & { type: 'job.retrying'; attempt: number; runAt: number; error: JobError })
  | (EventBase & { type: 'job.completed'; attempt: number })
  | (EventBase & { type: 'job.failed'; attempt: number; error: JobError })
  | (EventBase & { type: 'job.cancelled'; attempt: number; reason: string });

export type JobEventListener = (event: JobEvent) => void;

export interface JobEventFilter {
  jobId?: string;
  types?: readonly JobEventType[];
}

export type Unsubscribe = () => void;

export interface JobQueue {
  readonly backend: 'sqlite' | 'redis';
  /** Validates the payload with the handler's schema and stores the job. */
  enqueue(spec: JobSpec): Promise<JobSummary>;
  /** One job in full; JOB_NOT_FOUND if there is none. */
  get(id: string): Promise<JobDetail>;
  list(query?: JobQuery): Promise<JobPage>;
  stats(options?: { windowMs?: number }): Promise<JobStats>;
  /**
   * Cancels a queued or waiting job at once; for an active job, asks its worker to abort the handler
   * (its AbortSignal fires) and returns with `cancelRequested` set. Dependents fail unless optional.
   */
  cancel(id: string, reason?: string): Promise<JobSummary>;
  /** Runs a failed or cancelled job again, reviving the dependents that failed because of it. */
  retry(id: string): Promise<JobSummary>;
  /** Events from every process that shares this backend. */
  subscribe(listener: JobEventListener, filter?: JobEventFilter): Unsubscribe;
  /** Idempotent: the same promise when called twice. */
  close(): Promise<void>;
}
