import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import { BullmqJobStore } from './bullmq/bullmq-job-store.js';
import type { Clock } from './clock.js';
import { basicHardwareProfile, defaultMemoryBudgetMb, type HardwareProfile } from './concurrency.js';
import { createHandlerRegistry, type HandlerRegistry, type JobHandler } from './handlers.js';
import { createManagedJobQueue, type ManagedJobQueue } from './managed-job-queue.js';
import { DATABASE_FILE, openDatabase, type SqliteDatabase } from './sqlite/open-database.js';
import { SqliteJobStore } from './sqlite/sqlite-job-store.js';

export interface CreateJobQueueDeps {
  log: Logger;
  // biome-ignore lint/suspicious/noExplicitAny: handlers of any payload type
  handlers: HandlerRegistry | readonly JobHandler<any, any>[];
  clock?: Clock;
  /** For default concurrency and memory budget (default: cores and memory from the OS). */
  hardware?: HardwareProfile;
  /** An open database to share (SQLite); otherwise `<dataDir>/reelforge.db` is opened and owned. */
  db?: SqliteDatabase;
}

/**
 * The job queue the configuration asks for: SQLite in the data folder by default, BullMQ on Redis when
 * `queue.kind` is `redis`. Workers started from it get the configured concurrency and budgets.
 */
export function createJobQueue(config: Readonly<Config>, deps: CreateJobQueueDeps): ManagedJobQueue {
  const handlers = isRegistry(deps.handlers) ? deps.handlers : createHandlerRegistry(deps.handlers);
  const hardware = deps.hardware ?? basicHardwareProfile();
  const { log, clock } = deps;
  const store =
    config.queue.kind === 'redis'
      ? new BullmqJobStore({
          url: config.queue.url,
          prefix: config.queue.prefix,
          log,
          clock,
          leaseMs: config.jobs.leaseMs,
        })
      : new SqliteJobStore(deps.db ?? openDatabase(join(config.dataDir, DATABASE_FILE)), {
          log,
          clock,
          ownsDatabase: deps.db === undefined,
        });
  return createManagedJobQueue({
    store,
    handlers,
    log,
    clock,
    workerDefaults: {
      concurrency: config.jobs.concurrency,
      hardware,
      memoryBudgetMb: config.jobs.memoryBudgetMb ?? defaultMemoryBudgetMb(hardware),
      costBudgetPerHour: config.jobs.costBudgetPerHour ?? null,
      leaseMs: config.jobs.leaseMs,
      pollMs: config.jobs.pollMs,
      shutdownGraceMs: config.jobs.shutdownGraceMs,
    },
  });
}

function isRegistry(h: CreateJobQueueDeps['handlers']): h is HandlerRegistry {
  return !Array.isArray(h) && typeof (h as HandlerRegistry).require === 'function';
}
