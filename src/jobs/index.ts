export { backoffDelay, decideRetry, defaultRetryPolicy, type RetryPolicy } from './backoff.js';
export { BullmqJobStore, type BullmqJobStoreOptions, redactUrl } from './bullmq/bullmq-job-store.js';
export { type Clock, createManualClock, type ManualClock, systemClock } from './clock.js';
export {
  basicHardwareProfile,
  defaultConcurrency,
  defaultMemoryBudgetMb,
  type HardwareProfile,
  resolveConcurrency,
  workloads,
} from './concurrency.js';
export { type CreateJobQueueDeps, createJobQueue } from './create-job-queue.js';
export {
  createHandlerRegistry,
  defineJobHandler,
  type HandlerRegistry,
  type JobContext,
  type JobHandler,
  type Workload,
} from './handlers.js';
export { isRetryable } from './job-errors.js';
export {
  type AttemptOutcome,
  type AttemptRecord,
  finishedStates,
  isFinished,
  type JobDependency,
  type JobDetail,
  type JobError,
  type JobEvent,
  type JobEventFilter,
  type JobEventListener,
  type JobEventType,
  type JobPage,
  type JobQuery,
  type JobQueue,
  type JobSpec,
  type JobState,
  type JobStats,
  type JobSummary,
  type JobTimings,
  jobEventTypes,
  jobStates,
  type Priority,
  priorities,
  type Unsubscribe,
} from './job-queue.js';
export type { JobStore } from './job-store.js';
export { createManagedJobQueue, type ManagedJobQueue, type WorkerSettings } from './managed-job-queue.js';
export type { ProgressReporter, ProgressSnapshot, StepSnapshot } from './progress.js';
export { migrateTables } from './sqlite/migrate-tables.js';
export { DATABASE_FILE, openDatabase, type SqliteDatabase } from './sqlite/open-database.js';
export { SqliteJobStore, type SqliteJobStoreOptions } from './sqlite/sqlite-job-store.js';
export { waitForJob } from './wait-for-job.js';
export { defaultWorkerId, JobWorker, type JobWorkerOptions, type WorkerSnapshot } from './worker.js';
