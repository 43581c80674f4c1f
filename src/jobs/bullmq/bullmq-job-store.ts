import { createHash } from 'node:crypto';
import { Job, Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from '../../log.js';
import { type Clock, systemClock } from '../clock.js';
import { dependencyUnknown, jobNotFound, queueUnavailable, stateConflict } from '../job-errors.js';
import type {
  JobDetail,
  JobEvent,
  JobEventListener,
  JobPage,
  JobState,
  JobStats,
  JobSummary,
  Unsubscribe,
} from '../job-queue.js';
import { jobStates } from '../job-queue.js';
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
import { retryReason, toDetail, toSummary } from '../records.js';
import { type Candidate, COST_WINDOW_MS, describeHold, schedule } from '../scheduler.js';
import { type ScriptName, scripts } from './lua.js';
import {
  attemptFromJson,
  dependenciesFromHash,
  fromHash,
  normalizeEvent,
  runningAttempt,
} from './redis-records.js';

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

interface PeekResult {
  candidates: Array<Candidate & { bullId: string; state: string; waitReason: string; fromWait: boolean }>;
  ledger: Array<{ at: number; amount: number }>;
  nextDelayed: number | null;
}

type Reply = Array<string | number>;

const PEEK_LIMIT = 64;

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
  private readonly shas = new Map<ScriptName, string>();
  private subscriber: Redis | null = null;
  private readonly queues = new Map<string, Queue>();
  private readonly workers = new Map<string, Worker>();
  private readonly listeners = new Set<JobEventListener>();
  private readonly signalListeners = new Set<(s: StoreSignal) => void>();
  private readonly clock: Clock;
  private readonly leaseMs: number;
  private readonly ready: Promise<void>;
  private tokenCounter = 0;
  private readonly readyTypes = new Set<string>();
  private lastSweep = 0;
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
      c.on('error', (e) => options.log.debug({ err: e }, 'redis connection error'));
    }
    for (const [name, lua] of Object.entries(scripts) as Array<[ScriptName, string]>) {
      this.shas.set(name, createHash('sha1').update(lua).digest('hex'));
    }
    this.ready = this.connect();
    this.ready.catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const timeout = this.options.connectTimeoutMs ?? 5_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        Promise.all([this.loadScripts(), this.bullClient.ping()]),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${timeout} ms`)), timeout);
        }),
      ]);
    } catch (e) {
      throw queueUnavailable(`cannot reach Redis at ${redactUrl(this.options.url)}`, e);
    } finally {
      clearTimeout(timer);
    }
  }

  private async loadScripts(): Promise<void> {
    await Promise.all(Object.values(scripts).map((lua) => this.client.script('LOAD', lua)));
  }

  private async run(name: ScriptName, ...args: Array<string | number>): Promise<unknown> {
    await this.ready;
    const sha = this.shas.get(name) as string;
    try {
      return await this.client.evalsha(sha, 0, this.ns, this.clock.now(), ...args);
    } catch (e) {
      // A restarted or flushed Redis forgets scripts: load them again and repeat once.
      if (!(e instanceof Error) || !e.message.includes('NOSCRIPT')) throw e;
      await this.loadScripts();
      return this.client.evalsha(sha, 0, this.ns, this.clock.now(), ...args);
    }
  }

  private queue(type: string): Queue {
    let q = this.queues.get(type);
    if (!q) {
      q = new Queue(`q-${type}`, {
        connection: this.bullClient,
        prefix: this.ns,
        streams: { events: { maxLen: 100 } },
      });
      q.on('error', (e) => this.options.log.warn({ err: e, type }, 'BullMQ queue error'));
      this.queues.set(type, q);
    }
    return q;
  }

  private worker(type: string): Worker {
    let w = this.workers.get(type);
    if (!w) {
      w = new Worker(`q-${type}`, null, {
        connection: this.bullClient,
        prefix: this.ns,
        lockDuration: this.leaseMs,
        stalledInterval: this.options.stalledIntervalMs ?? Math.max(100, Math.floor(this.leaseMs / 2)),
        // Our records count attempts and decide; BullMQ must never fail a job on its own.
        maxStalledCount: 1_000_000,
        autorun: false,
      });
      w.on('error', (e) => this.options.log.warn({ err: e, type }, 'BullMQ worker error'));
      void w.startStalledCheckTimer();
      this.workers.set(type, w);
    }
    return w;
  }

  /** Adds runnable jobs (id, type, priority, dispatch quadruples) to BullMQ and wakes workers. */
  private async dispatch(reply: Reply, from = 0): Promise<void> {
    const byType = new Map<string, Array<{ name: string; data: object; opts: object }>>();
    for (let i = from; i + 3 < reply.length; i += 4) {
      const [id, type, priority, dispatch] = [reply[i], reply[i + 1], reply[i + 2], reply[i + 3]];
      const list = byType.get(String(type)) ?? [];
      list.push({
        name: String(type),
        data: {},
        opts: {
          jobId: `${id}.${dispatch}`,
          priority: Number(priority) + 1,
          removeOnComplete: true,
          removeOnFail: true,
          attempts: 1,
        },
      });
      byType.set(String(type), list);
    }
    await Promise.all(
      [...byType].map(async ([type, jobs]) => {
        // One add per job rather than addBulk: BullMQ's bulk add runs its scripts inside MULTI, where
        // ioredis sends every script's full text instead of its SHA (slow on both ends).
        const queue = this.queue(type);
        await Promise.all(jobs.map((j) => queue.add(j.name, j.data, j.opts)));
        this.announceReady(type);
      }),
    );
  }

  /** Tells workers everywhere that a type has work, once per tick however many jobs were added. */
  private announceReady(type: string): void {
    if (this.readyTypes.size === 0) {
      setImmediate(() => {
        const types = [...this.readyTypes];
        this.readyTypes.clear();
        for (const t of types) {
          this.client
            .publish(`${this.ns}:signals`, JSON.stringify({ kind: 'ready', type: t }))
            .catch((e: unknown) => this.options.log.debug({ err: e }, 'could not announce ready jobs'));
        }
      });
    }
    this.readyTypes.add(type);
  }

  private async hashes(ids: readonly string[]): Promise<Array<Record<string, string>>> {
    if (ids.length === 0) return [];
    const pipeline = this.client.pipeline();
    for (const id of ids) pipeline.hgetall(`${this.ns}:job:${id}`);
    const results = (await pipeline.exec()) ?? [];
    return results.map(([err, h]) => {
      if (err) throw err;
      return h as Record<string, string>;
    });
  }

  private async summary(id: string): Promise<JobSummary> {
    const [h] = await this.hashes([id]);
    if (!h?.id) throw jobNotFound(id);
    return toSummary(fromHash(h), dependenciesFromHash(h));
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
    await this.dispatch(reply.slice(2, 2 + n));
    return toSummary(fromHash(h), dependenciesFromHash(h));
  }

  async get(id: string): Promise<JobDetail | undefined> {
    await this.ready;
    const [h, attempts] = await Promise.all([
      this.client.hgetall(`${this.ns}:job:${id}`),
      this.client.lrange(`${this.ns}:attempts:${id}`, 0, -1),
    ]);
    if (!h.id) return undefined;
    const history = attempts.map(attemptFromJson);
    // The running attempt is kept in the record until it ends.
    if (h.state === 'active') history.push(runningAttempt(h));
    return toDetail(fromHash(h), dependenciesFromHash(h), history, this.clock.now());
  }

  async list(q: ListQuery): Promise<JobPage> {
    const reply = (await this.run(
      'rfList',
      JSON.stringify(q.states ?? []),
      q.type ?? '',
      q.priority === null ? '' : q.priority,
      q.offset,
      q.limit,
    )) as Reply;
    const ids = reply.slice(1).map(String);
    const hashes = await this.hashes(ids);
    const jobs = hashes.filter((h) => h.id).map((h) => toSummary(fromHash(h), dependenciesFromHash(h)));
    return { jobs, total: Number(reply[0]), limit: q.limit, offset: q.offset };
  }

  async stats(windowMs: number): Promise<JobStats> {
    await this.ready;
    const now = this.clock.now();
    const pipeline = this.client.pipeline();
    for (const s of jobStates) pipeline.zcard(`${this.ns}:state:${s}`);
    const first = Math.floor((now - windowMs) / 60_000);
    const last = Math.floor(now / 60_000);
    for (let m = first; m <= last; m++) pipeline.hgetall(`${this.ns}:stats:${m}`);
    const results = ((await pipeline.exec()) ?? []).map(([err, v]) => {
      if (err) throw err;
      return v;
    });
    const counts = Object.fromEntries(jobStates.map((s, i) => [s, Number(results[i])])) as Record<
      JobState,
      number
    >;
    const sum: Record<string, number> = {};
    for (const bucket of results.slice(jobStates.length) as Array<Record<string, string>>) {
      for (const [k, v] of Object.entries(bucket)) sum[k] = (sum[k] ?? 0) + Number(v);
    }
    const completed = sum.completed ?? 0;
    return {
      counts,
      windowMs,
      completed,
      failed: sum.failed ?? 0,
      cancelled: sum.cancelled ?? 0,
      throughputPerMinute: completed / (windowMs / 60_000),
      meanWaitMs: sum.wait_n ? Math.round((sum.wait_sum ?? 0) / sum.wait_n) : null,
      meanRunMs: sum.run_n ? Math.round((sum.run_sum ?? 0) / sum.run_n) : null,
    };
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
      await this.queue(String(type))
        .remove(String(bullId))
        .catch(() => 0);
    }
    await this.dispatch(reply, 3);
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
    await this.dispatch(reply, 1);
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

  async claim(req: ClaimRequest): Promise<ClaimResult> {
    const types = Object.keys(req.freeSlots);
    const args: Array<string | number> = [COST_WINDOW_MS, req.costBudgetPerHour === null ? '0' : '1'];
    for (const t of types) {
      const q = this.queue(t);
      this.worker(t);
      args.push(t, Math.min(PEEK_LIMIT, req.freeSlots[t] ?? 1), q.toKey('wait'), q.toKey('prioritized'));
    }
    const peek = JSON.parse((await this.run('rfPeek', ...args)) as string) as PeekResult;
    const now = this.clock.now();
    // BullMQ serves its wait list (jobs back from a stalled worker) before the prioritized set.
    const candidates = (Array.isArray(peek.candidates) ? peek.candidates : []).map((c) => ({
      ...c,
      priority: c.fromWait ? -1 : c.priority,
      memoryMb: c.state === 'queued' || c.state === 'active' ? c.memoryMb : 0,
      cost: c.state === 'queued' || c.state === 'active' ? c.cost : 0,
    }));
    const decision = schedule(candidates, {
      freeSlots: req.freeSlots,
      memoryBudgetMb: req.memoryBudgetMb,
      memoryUsedMb: req.memoryUsedMb,
      costBudgetPerHour: req.costBudgetPerHour,
      costLedger: Array.isArray(peek.ledger) ? peek.ledger : [],
      now,
    });
    const notes: string[] = [];
    for (const { candidate, hold } of decision.held.slice(0, 20)) {
      const reason = describeHold(hold, hold.kind === 'memory' ? req.workerId : undefined);
      if (candidates.find((c) => c.id === candidate.id)?.waitReason !== reason)
        notes.push(candidate.id, reason);
    }
    if (notes.length > 0) await this.run('rfNote', ...notes);

    // BullMQ hands each concurrent fetch a different job, so the picks are taken in parallel.
    const taken = await Promise.all(
      (decision.start as Array<(typeof candidates)[number]>).map((pick) => this.take(pick.type, pick, req)),
    );
    const claimed = taken.filter((j): j is ClaimedJob => j !== null);
    const wakes = [peek.nextDelayed, decision.wakeAt].filter((x): x is number => typeof x === 'number');
    return {
      claimed,
      wakeAt: wakes.length > 0 ? Math.min(...wakes) : null,
      contended: decision.held.length > 0,
    };
  }

  /** Locks the next BullMQ job of a type and turns it into an attempt; drops stale ones on the way. */
  private async take(
    type: string,
    pick: Candidate & { bullId: string },
    req: ClaimRequest,
  ): Promise<ClaimedJob | null> {
    const worker = this.worker(type);
    for (let tries = 0; tries < 5; tries++) {
      const token = `${req.workerId}:${++this.tokenCounter}`;
      const job = (await worker.getNextJob(token, { block: false })) as Job | undefined;
      if (!job?.id) return null;
      // Another worker may have taken the job the scheduler chose; then this one must fit its share.
      const allowance = job.id === pick.bullId ? Number.POSITIVE_INFINITY : pick.memoryMb;
      const taken = await this.adopt(type, job, token, req.workerId, allowance, req.costBudgetPerHour);
      if (taken !== 'drop') return taken;
    }
    return null;
  }

  private startArgs(
    job: Job,
    token: string,
    workerId: string,
    memoryAllowanceMb: number,
    costBudgetPerHour: number | null,
  ): Array<string | number> {
    const bullId = job.id as string;
    return [
      bullId.slice(0, bullId.lastIndexOf('.')),
      bullId,
      workerId,
      token,
      this.leaseMs,
      costBudgetPerHour ?? '',
      Number.isFinite(memoryAllowanceMb) ? memoryAllowanceMb : '',
      COST_WINDOW_MS,
    ];
  }

  /**
   * Turns a job BullMQ just locked for us into an attempt. 'drop' when it was stale (finished, cancelled,
   * superseded); null when the budgets no longer allow it (it goes back to BullMQ).
   */
  private async adopt(
    type: string,
    job: Job,
    token: string,
    workerId: string,
    memoryAllowanceMb: number,
    costBudgetPerHour: number | null,
  ): Promise<ClaimedJob | null | 'drop'> {
    const args = this.startArgs(job, token, workerId, memoryAllowanceMb, costBudgetPerHour);
    const reply = (await this.run('rfStart', ...args)) as Reply;
    return this.started(type, job, token, workerId, reply);
  }

  /** Acts on the reply of a start: the attempt, or the BullMQ job dropped or handed back. */
  private async started(
    type: string,
    job: Job,
    token: string,
    workerId: string,
    reply: Reply,
  ): Promise<ClaimedJob | null | 'drop'> {
    const bullId = job.id as string;
    const id = bullId.slice(0, bullId.lastIndexOf('.'));
    if (reply[0] === 'ok') {
      return {
        lease: { jobId: id, type, attempt: Number(reply[1]), token, workerId, handle: job },
        payloadJson: String(reply[2]),
        maxAttempts: Number(reply[3]),
        timeoutMs: Number(reply[4]),
        memoryMb: Number(reply[5]),
        cost: Number(reply[6]),
      };
    }
    await job.moveToCompleted(null, token, false).catch(() => undefined);
    if (reply[0] === 'drop') {
      await this.dispatch(reply, 1);
      return 'drop';
    }
    // The budgets moved since the scheduler looked: back to BullMQ under a new dispatch number.
    const again = (await this.run('rfRedispatch', id)) as Reply;
    await this.dispatch(again);
    return null;
  }

  async heartbeat(leases: readonly Lease[], leaseMs: number): Promise<HeartbeatResult> {
    const lost = new Set<string>();
    const byType = new Map<string, Lease[]>();
    for (const l of leases) byType.set(l.type, [...(byType.get(l.type) ?? []), l]);
    await Promise.all(
      [...byType].map(async ([type, ls]) => {
        const failed = await this.worker(type).extendJobLocks(
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
        this.dispatch(reply, 1),
      ]);
      return { kept: true, next: null };
    }
    // Release the BullMQ job first, which locks the next one of the type under the same token, then record
    // both in one script. Should this process die in between, the sweep finds the active record without a
    // BullMQ job once its lease has expired, and runs the job again.
    const raw = await job.moveToCompleted(null, lease.token, true).catch(() => undefined);
    const nextJob =
      Array.isArray(raw) && raw[0] ? Job.fromJSON(this.worker(lease.type), raw[0], raw[1] as string) : null;
    if (nextJob) nextJob.token = lease.token;
    const startArgs = nextJob
      ? this.startArgs(nextJob, lease.token, next.workerId, next.memoryAllowanceMb, next.costBudgetPerHour)
      : ['', '', '', '', '', '', '', ''];
    const reply = (await this.run('rfFinishStart', lease.jobId, lease.token, ...args, ...startArgs)) as Reply;
    const n = Number(reply[1]);
    await this.dispatch(reply, 2 + n);
    let taken: ClaimedJob | null | 'drop' = null;
    if (nextJob)
      taken = await this.started(lease.type, nextJob, lease.token, next.workerId, reply.slice(2, 2 + n));
    return { kept: reply[0] !== 'lost', next: taken === 'drop' ? null : taken, held: nextJob !== null && taken === null };
  }

  async maintain(): Promise<void> {
    const promoted = (await this.run('rfPromote', 500)) as Reply;
    await this.dispatch(promoted);
    const now = this.clock.now();
    const sweepAfter = this.options.sweepAfterMs ?? 10_000;
    if (now - this.lastSweep >= sweepAfter) {
      this.lastSweep = now;
      const lost = (await this.run('rfSweep', sweepAfter, 500, `${this.ns}:q-`)) as Reply;
      if (lost.length > 0)
        this.options.log.warn({ jobs: lost.length / 4 }, 're-adding queued jobs missing from BullMQ');
      await this.dispatch(lost);
      await this.run('rfPrune', COST_WINDOW_MS);
    }
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      const steps: Array<() => Promise<unknown>> = [
        ...[...this.workers.values()].map((w) => () => w.close()),
        ...[...this.queues.values()].map((q) => () => q.close()),
        async () => this.subscriber?.quit(),
        async () => this.client.quit(),
        async () => this.bullClient.quit(),
      ];
      for (const step of steps) {
        try {
          await step();
        } catch (e) {
          this.options.log.debug({ err: e }, 'error while closing the Redis job store');
        }
      }
      this.listeners.clear();
      this.signalListeners.clear();
    })();
    return this.closing;
  }
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
