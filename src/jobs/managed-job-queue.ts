import { ReelforgeError } from '../errors.js';
import type { Logger } from '../log.js';
import { type Clock, systemClock } from './clock.js';
import { type HandlerRegistry, parsePayload } from './handlers.js';
import { JOB_ID_PATTERN, newJobId } from './ids.js';
import { jobNotFound, queueClosed, specInvalid } from './job-errors.js';
import {
  type JobDependency,
  type JobDetail,
  type JobEventFilter,
  type JobEventListener,
  type JobPage,
  type JobQuery,
  type JobQueue,
  type JobSpec,
  type JobState,
  type JobStats,
  type JobSummary,
  jobStates,
  priorities,
  priorityRank,
  type Unsubscribe,
} from './job-queue.js';
import type { JobStore, ListQuery } from './job-store.js';
import { JobWorker, type JobWorkerOptions } from './worker.js';

/** Worker settings a queue hands to every worker it starts (each start may override them). */
export type WorkerSettings = Omit<JobWorkerOptions, 'store' | 'handlers' | 'log'>;

/** A JobQueue that can also start workers for its handlers; close() closes them first. */
export interface ManagedJobQueue extends JobQueue {
  readonly handlers: HandlerRegistry;
  readonly store: JobStore;
  startWorker(overrides?: Partial<WorkerSettings>): JobWorker;
}

export interface ManagedJobQueueOptions {
  store: JobStore;
  handlers: HandlerRegistry;
  log: Logger;
  clock?: Clock;
  workerDefaults?: Partial<WorkerSettings>;
}

const MAX_ATTEMPTS_LIMIT = 100;

function usage(message: string): ReelforgeError {
  return new ReelforgeError('USAGE', message, { status: 400, retryable: false });
}

function normalizeDependencies(spec: JobSpec): JobDependency[] {
  const out = new Map<string, JobDependency>();
  for (const d of spec.dependsOn ?? []) {
    const dep =
      typeof d === 'string' ? { id: d, optional: false } : { id: d?.id, optional: d?.optional === true };
    if (typeof dep.id !== 'string' || dep.id.length === 0)
      throw specInvalid('dependsOn entries must be job ids');
    // Required wins when the same id is listed twice.
    const seen = out.get(dep.id);
    out.set(dep.id, { id: dep.id, optional: (seen?.optional ?? true) && dep.optional });
  }
  return [...out.values()];
}

function positiveInt(value: unknown, name: string, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw specInvalid(`${name} must be a whole number from 1 to ${max}, got ${String(value)}`);
  }
  return value;
}

/** Builds the shared front of both backends: validation, defaults, filtering, worker lifecycle. */
export function createManagedJobQueue(options: ManagedJobQueueOptions): ManagedJobQueue {
  const { store, handlers, log } = options;
  const clock = options.clock ?? systemClock;
  const workers: JobWorker[] = [];
  let closing: Promise<void> | null = null;

  const open = () => {
    if (closing) throw queueClosed();
  };

  const queue: ManagedJobQueue = {
    backend: store.kind,
    handlers,
    store,

    async enqueue(spec) {
      open();
      if (spec === null || typeof spec !== 'object') throw specInvalid('expected an object');
      const handler = handlers.require(spec.type);
      const priority = spec.priority ?? 'medium';
      if (!priorities.includes(priority)) {
        throw specInvalid(`priority must be one of ${priorities.join(', ')}, got ${String(priority)}`);
      }
      if (spec.id !== undefined && (typeof spec.id !== 'string' || !JOB_ID_PATTERN.test(spec.id))) {
        throw specInvalid(`id must match ${JOB_ID_PATTERN}, got ${JSON.stringify(spec.id)}`);
      }
      const timeoutMs = positiveInt(spec.timeoutMs, 'timeoutMs') ?? handler.timeoutMs;
      const maxAttempts =
        positiveInt(spec.maxAttempts, 'maxAttempts', MAX_ATTEMPTS_LIMIT) ?? handler.retry.attempts;
      const dependencies = normalizeDependencies(spec);
      // Validate what will be read back at pickup: the payload after a JSON round trip.
      let payloadJson: string;
      try {
        payloadJson = JSON.stringify(spec.payload ?? null);
      } catch (e) {
        throw specInvalid(`payload must be JSON-serialisable: ${e instanceof Error ? e.message : String(e)}`);
      }
      const parsed = parsePayload(handler, JSON.parse(payloadJson) as unknown, 'enqueue');
      const { memoryMb, cost } = handler.estimate(parsed);
      return store.insert({
        id: spec.id ?? newJobId(clock.now()),
        type: handler.type,
        payloadJson,
        priority: priorityRank(priority),
        dependencies,
        maxAttempts,
        timeoutMs,
        memoryMb,
        cost,
      });
    },

    async get(id) {
      open();
      const job = await store.get(id);
      if (!job) throw jobNotFound(id);
      return job as JobDetail;
    },

    async list(query: JobQuery = {}): Promise<JobPage> {
      open();
      return store.list(normalizeQuery(query));
    },

    async stats(opts = {}): Promise<JobStats> {
      open();
      const windowMs = opts.windowMs ?? 3_600_000;
      if (!(windowMs > 0)) throw usage(`windowMs must be positive, got ${windowMs}`);
      return store.stats(windowMs);
    },

    async cancel(id, reason = 'cancelled by request'): Promise<JobSummary> {
      open();
      return store.cancel(id, reason);
    },

    async retry(id): Promise<JobSummary> {
      open();
      return store.retry(id);
    },

    subscribe(listener: JobEventListener, filter: JobEventFilter = {}): Unsubscribe {
      open();
      const types = filter.types ? new Set(filter.types) : null;
      return store.subscribe((e) => {
        if (filter.jobId !== undefined && e.jobId !== filter.jobId) return;
        if (types && !types.has(e.type)) return;
        listener(e);
      });
    },

    startWorker(overrides = {}) {
      open();
      const worker = new JobWorker({
        clock,
        ...options.workerDefaults,
        ...overrides,
        store,
        handlers,
        log,
      });
      workers.push(worker);
      return worker;
    },

    close() {
      closing ??= (async () => {
        const errors: unknown[] = [];
        for (const w of workers.reverse()) await w.close().catch((e: unknown) => errors.push(e));
        await store.close().catch((e: unknown) => errors.push(e));
        for (const e of errors) log.error({ err: e }, 'error while closing the job queue');
      })();
      return closing;
    },
  };
  return queue;
}

/** Checks and fills in a list query. */
export function normalizeQuery(query: JobQuery): ListQuery {
  const states: JobState[] | null =
    query.state === undefined
      ? null
      : Array.isArray(query.state)
        ? [...query.state]
        : [query.state as JobState];
  for (const s of states ?? []) {
    if (!jobStates.includes(s)) throw usage(`state must be one of ${jobStates.join(', ')}, got ${String(s)}`);
  }
  if (query.priority !== undefined && !priorities.includes(query.priority)) {
    throw usage(`priority must be one of ${priorities.join(', ')}, got ${String(query.priority)}`);
  }
  const limit = query.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw usage(`limit must be 1–500, got ${limit}`);
  const offset = query.offset ?? 0;
  if (!Number.isInteger(offset) || offset < 0) throw usage(`offset must be 0 or more, got ${offset}`);
  return {
    states,
    type: query.type ?? null,
    priority: query.priority === undefined ? null : priorityRank(query.priority),
    limit,
    offset,
  };
}
