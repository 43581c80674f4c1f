import { Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from '../../log.js';
import { type Clock, systemClock } from '../clock.js';
import { dependencyUnknown, jobNotFound, queueUnavailable, stateConflict } from '../job-errors.js';
import type {
  JobDetail,
  JobEvent,
  JobEventListener,
  JobPage,
  JobStats,
  JobSummary,
  Unsubscribe,
} from '../job-queue.js';
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
  NextRequest,
  Outcome,
  StoreSignal,
} from '../job-store.js';
import type { ProgressSnapshot } from '../progress.js';
import { retryReason, toSummary } from '../records.js';
import { COST_WINDOW_MS } from '../scheduler.js';
import { BullLanes } from './bull-lanes.js';
import type { ScriptName } from './lua.js';
import { RedisClaims } from './redis-claims.js';
import { RedisReads } from './redis-reads.js';
import { dependenciesFromHash, fromHash, normalizeEvent } from './redis-records.js';
import { type Reply, ScriptRunner } from './script-runner.js';

export interface BullmqJobStoreOptions {
  url: string;
  /** Namespace for every key (`<prefix>:jobs:…`). */
  prefix: string;
  log: Logger;
  clock?: Clock;
  /** BullMQ lock duration: a job whose worker stops renewing for this long runs again. Default 30 s. */
  leaseMs?: number;
  /** How often BullMQ looks for expired locks. Default half the lease. */
  stalledIntervalMs?: number;
  /** How long to wait for Redis before giving up with QUEUE_UNAVAILABLE. Default 5 s. */
  connectTimeoutMs?: number;
  /** Age after which a queued job missing from BullMQ is added again. Default 10 s. */
  sweepAfterMs?: number;
}

/**
 * The scale-out backend: job records, the dependency graph, budgets and events live in Redis under our
 * own keys (changed by Lua scripts, atomically); BullMQ holds the runnable jobs, one queue per job type,
 * in priority order, and its lock with stalled-job detection is the lease.
 */
export class BullmqJobStore implements JobStore {
  readonly kind = 'redis' as const;
  private readonly ns: string;
  /** Our commands: auto-pipelined, scripts called by SHA. */
  private readonly client: Redis;
  /** BullMQ's commands: not auto-pipelined, since ioredis sends a script's full text inside a pipeline. */
  private readonly bullClient: Redis;
  private readonly scripts: ScriptRunner;
  private readonly lanes: BullLanes;
  private readonly reads: RedisReads;
  private readonly claims: RedisClaims;
  private subscriber: Redis | null = null;
  private readonly listeners = new Set<JobEventListener>();
  private readonly signalListeners = new Set<(s: StoreSignal) => void>();
  private readonly clock: Clock;
  private readonly leaseMs: number;
  private readonly ready: Promise<void>;
  private lastSweep = 0;
  private lastConnectionError: Error | null = null;
  private closing: Promise<void> | null = null;

  constructor(private readonly options: BullmqJobStoreOptions) {
    this.ns = `${options.prefix}:jobs`;
    this.clock = options.clock ?? systemClock;
    this.leaseMs = options.leaseMs ?? 30_000;
    const common = {
      maxRetriesPerRequest: null,
      retryStrategy: (times: number) => Math.min(times * 200, 2_000),
    };
    this.client = new Redis(options.url, { ...common, enableAutoPipelining: true });
    this.bullClient = new Redis(options.url, common);
    for (const c of [this.client, this.bullClient]) {
      c.on('error', (e) => {
        this.lastConnectionError = e;
        options.log.debug({ err: e }, 'redis connection error');
      });
    }
    const ready = () => this.ready;
    this.scripts = new ScriptRunner(this.client, this.ns, this.clock, ready);
    this.lanes = new BullLanes({
      ns: this.ns,
      client: this.client,
      bullClient: this.bullClient,
      log: options.log,
      leaseMs: this.leaseMs,
      stalledIntervalMs: options.stalledIntervalMs,
    });
    this.reads = new RedisReads(this.client, this.ns, this.clock, this.scripts, ready);
    this.claims = new RedisClaims(this.lanes, this.scripts, this.clock, this.leaseMs);
    this.ready = this.connect();
    this.ready.catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const timeout = this.options.connectTimeoutMs ?? 5_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        Promise.all([this.scripts.load(), this.bullClient.ping()]),
        new Promise((_, reject) => {
          timer = setTimeout(() => {
            const why = this.lastConnectionError ? ` (${this.lastConnectionError.message})` : '';
            reject(new Error(`no answer within ${timeout} ms${why}`));
          }, timeout);
        }),
      ]);
    } catch (e) {
      throw queueUnavailable(`cannot reach Redis at ${redactUrl(this.options.url)}`, e);
    } finally {
      clearTimeout(timer);
    }
  }

  private run(name: ScriptName, ...args: Array<string | number>): Promise<unknown> {
    return this.scripts.run(name, ...args);
  }

  private summary(id: string): Promise<JobSummary> {
    return this.reads.summary(id);
  }

  get(id: string): Promise<JobDetail | undefined> {
    return this.reads.get(id);
  }

  list(q: ListQuery): Promise<JobPage> {
    return this.reads.list(q);
  }

  stats(windowMs: number): Promise<JobStats> {
    return this.reads.stats(windowMs);
  }

  claim(req: ClaimRequest): Promise<ClaimResult> {
    return this.claims.claim(req);
  }

  async insert(job: NewJob): Promise<JobSummary> {
    const reply = (await this.run(
      'rfEnqueue',
      job.id,
      job.type,
      job.priority,
      job.payloadJson,
      JSON.stringify(job.dependencies),
      job.maxAttempts,
      job.timeoutMs,
      job.memoryMb,
      job.cost,
    )) as Reply;
    if (reply[0] === 'missing') throw dependencyUnknown(reply.slice(1).map(String));
    const n = Number(reply[1]);
    const fields = reply.slice(2 + n).map(String);
    // A new record: what we sent plus the generated fields; an existing one: its whole hash.
    const h: Record<string, string> =
      reply[0] === 'exists'
        ? {}
        : {
            id: job.id,
            type: job.type,
            priority: String(job.priority),
            payload: job.payloadJson,
            deps: JSON.stringify(job.dependencies),
            max_attempts: String(job.maxAttempts),
            timeout_ms: String(job.timeoutMs),
            memory_mb: String(job.memoryMb),
            cost: String(job.cost),
          };
    for (let i = 0; i + 1 < fields.length; i += 2) h[fields[i] as string] = fields[i + 1] as string;
    if (reply[0] === 'exists' && h.type !== job.type) {
      throw stateConflict(job.id, `already exists with type "${h.type}", not "${job.type}"`);
    }
    await this.lanes.dispatch(reply.slice(2, 2 + n));
    return toSummary(fromHash(h), dependenciesFromHash(h));
  }

  async cancel(id: string, reason: string): Promise<JobSummary> {
    const reply = (await this.run('rfCancel', id, reason)) as Reply;
    if (reply[0] === 'notfound') throw jobNotFound(id);
    if (reply[0] === 'conflict') {
      throw stateConflict(id, `is already ${reply[1]}; only queued, waiting or active jobs can be cancelled`);
    }
    const [, type, bullId] = reply;
    if (bullId) {
      // Not locked yet: remove it. If a worker locked it meanwhile, its start sees the cancel and drops it.
      await this.lanes
        .queue(String(type))
        .remove(String(bullId))
        .catch(() => 0);
    }
    await this.lanes.dispatch(reply, 3);
    return this.summary(id);
  }

  async retry(id: string): Promise<JobSummary> {
    const reply = (await this.run('rfRetry', id)) as Reply;
    if (reply[0] === 'notfound') throw jobNotFound(id);
    if (reply[0] === 'conflict')
      throw stateConflict(id, `is ${reply[1]}; only failed or cancelled jobs can be retried`);
    if (reply[0] === 'fatal') {
      throw stateConflict(id, `its dependency ${reply[1]} failed or was cancelled; retry that first`);
    }
    await this.lanes.dispatch(reply, 1);
    return this.summary(id);
  }

  private ensureSubscriber(): void {
    if (this.subscriber || this.closing) return;
    const sub = this.client.duplicate();
    this.subscriber = sub;
    sub.on('error', (e) => this.options.log.debug({ err: e }, 'redis subscriber error'));
    sub.on('message', (channel: string, message: string) => {
      try {
        if (channel.endsWith(':signals')) {
          const signal = JSON.parse(message) as StoreSignal;
          for (const l of this.signalListeners) l(signal);
        } else {
          const event = normalizeEvent(JSON.parse(message) as JobEvent);
          for (const l of this.listeners) l(event);
        }
      } catch (e) {
        this.options.log.error({ err: e }, 'a job event listener threw');
      }
    });
    sub.subscribe(`${this.ns}:events`, `${this.ns}:signals`).catch((e: unknown) => {
      this.options.log.error({ err: e }, 'could not subscribe to job events');
    });
  }

  subscribe(listener: JobEventListener): Unsubscribe {
    this.ensureSubscriber();
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onSignal(listener: (signal: StoreSignal) => void): Unsubscribe {
    this.ensureSubscriber();
    this.signalListeners.add(listener);
    return () => this.signalListeners.delete(listener);
  }

  async heartbeat(leases: readonly Lease[], leaseMs: number): Promise<HeartbeatResult> {
    const lost = new Set<string>();
    const byType = new Map<string, Lease[]>();
    for (const l of leases) byType.set(l.type, [...(byType.get(l.type) ?? []), l]);
    await Promise.all(
      [...byType].map(async ([type, ls]) => {
        const failed = await this.lanes.worker(type).extendJobLocks(
          ls.map((l) => (l.handle as Job).id as string),
          ls.map((l) => l.token),
          leaseMs,
        );
        for (const bullId of failed as string[]) lost.add(bullId.slice(0, bullId.lastIndexOf('.')));
      }),
    );
    const pairs = leases.flatMap((l) => [l.jobId, l.token]);
    const res = JSON.parse((await this.run('rfHeartbeat', leaseMs, ...pairs)) as string) as {
      lost: string[] | Record<string, never>;
      cancel: string[] | Record<string, never>;
    };
    for (const id of Array.isArray(res.lost) ? res.lost : []) lost.add(id);
    return { lost: [...lost], cancelRequested: Array.isArray(res.cancel) ? res.cancel : [] };
  }

  async saveProgress(lease: Lease, progress: ProgressSnapshot): Promise<void> {
    await this.run(
      'rfProgress',
      lease.jobId,
      lease.token,
      lease.attempt,
      lease.type,
      JSON.stringify(progress),
      progress.updatedAt,
    );
  }

  async finish(lease: Lease, outcome: Outcome, next?: NextRequest): Promise<FinishResult> {
    let args: Array<string | number>;
    if (outcome.kind === 'completed') {
      args = ['completed', outcome.resultJson, outcome.progress ? JSON.stringify(outcome.progress) : '', ''];
    } else if (outcome.kind === 'failed') {
      const reason =
        outcome.retryAt === null ? '' : retryReason(lease.attempt, outcome.retryAt, outcome.error);
      args = ['failed', JSON.stringify(outcome.error), outcome.retryAt ?? '', reason];
    } else if (outcome.kind === 'interrupted') {
      args = ['interrupted', JSON.stringify(outcome.error), '', ''];
    } else {
      args = ['cancelled', '', '', ''];
    }
    const job = lease.handle as Job | undefined;
    if (next === undefined || job === undefined) {
      const reply = (await this.run('rfFinish', lease.jobId, lease.token, ...args)) as Reply;
      if (reply[0] === 'lost') return { kept: false, next: null };
      await Promise.all([
        job?.moveToCompleted(null, lease.token, false).catch(() => undefined),
        this.lanes.dispatch(reply, 1),
      ]);
      return { kept: true, next: null };
    }
    // Release the BullMQ job first, which locks the next one of the type under the same token, then record
    // both in one script. Should this process die in between, the sweep finds the active record without a
    // BullMQ job once its lease has expired, and runs the job again.
    const raw = await job.moveToCompleted(null, lease.token, true).catch(() => undefined);
    const nextJob =
      Array.isArray(raw) && raw[0]
        ? Job.fromJSON(this.lanes.worker(lease.type), raw[0], raw[1] as string)
        : null;
    if (nextJob) nextJob.token = lease.token;
    const startArgs = nextJob
      ? this.claims.startArgs(
          nextJob,
          lease.token,
          next.workerId,
          next.memoryAllowanceMb,
          next.costBudgetPerHour,
        )
      : ['', '', '', '', '', '', '', ''];
    const reply = (await this.run('rfFinishStart', lease.jobId, lease.token, ...args, ...startArgs)) as Reply;
    const n = Number(reply[1]);
    await this.lanes.dispatch(reply, 2 + n);
    let taken: ClaimedJob | null | 'drop' = null;
    if (nextJob)
      taken = await this.claims.started(
        lease.type,
        nextJob,
        lease.token,
        next.workerId,
        reply.slice(2, 2 + n),
      );
    return {
      kept: reply[0] !== 'lost',
      next: taken === 'drop' ? null : taken,
      held: nextJob !== null && taken === null,
    };
  }

  async maintain(): Promise<void> {
    const promoted = (await this.run('rfPromote', 500)) as Reply;
    await this.lanes.dispatch(promoted);
    const now = this.clock.now();
    const sweepAfter = this.options.sweepAfterMs ?? 10_000;
    if (now - this.lastSweep >= sweepAfter) {
      this.lastSweep = now;
      const lost = (await this.run('rfSweep', sweepAfter, 500, `${this.ns}:q-`)) as Reply;
      if (lost.length > 0)
        this.options.log.warn({ jobs: lost.length / 4 }, 're-adding queued jobs missing from BullMQ');
      await this.lanes.dispatch(lost);
      await this.run('rfPrune', COST_WINDOW_MS);
    }
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      // Each step is bounded: with Redis gone, a polite QUIT would wait for a reconnection forever.
      const steps: Array<() => Promise<unknown>> = [
        () => this.lanes.close(),
        ...[this.subscriber, this.client, this.bullClient].map((c) => () => closeConnection(c)),
      ];
      for (const step of steps) {
        try {
          await withTimeout(step(), 5_000);
        } catch (e) {
          this.options.log.debug({ err: e }, 'error while closing the Redis job store');
        }
      }
      for (const c of [this.subscriber, this.client, this.bullClient]) c?.disconnect();
      this.listeners.clear();
      this.signalListeners.clear();
    })();
    return this.closing;
  }
}

async function closeConnection(c: Redis | null): Promise<void> {
  if (c === null) return;
  if (c.status === 'ready') await c.quit();
  else c.disconnect();
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    p,
    new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Hides a password in a Redis URL before it reaches a message. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}
