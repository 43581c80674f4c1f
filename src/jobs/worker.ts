import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from '../log.js';
import { type Clock, systemClock } from './clock.js';
import { basicHardwareProfile, type HardwareProfile, resolveConcurrency } from './concurrency.js';
import type { HandlerRegistry } from './handlers.js';
import type { ClaimedJob, JobStore, Lease, NextRequest, StoreSignal } from './job-store.js';
import { RunningAttempt, runAttempt } from './run-attempt.js';
import { Ticker, Wakeup } from './wakeup.js';

export interface JobWorkerOptions {
  store: JobStore;
  handlers: HandlerRegistry;
  log: Logger;
  /** Jobs of each type this worker runs at once; missing types get the handler's or the hardware default. */
  concurrency?: Readonly<Record<string, number>>;
  /** For default concurrency (default: cores and memory from the OS). */
  hardware?: HardwareProfile;
  /** Only these types (default: every registered handler). */
  types?: readonly string[];
  /** Sum of the memory estimates of running jobs may not exceed this (default: no limit). */
  memoryBudgetMb?: number;
  /** Provider spend per rolling hour across all workers (default: no limit). */
  costBudgetPerHour?: number | null;
  workerId?: string;
  clock?: Clock;
  random?: () => number;
  /** A lease not renewed for this long is taken back and the job runs again. Default 30 s. */
  leaseMs?: number;
  /** Default a third of the lease. */
  heartbeatMs?: number;
  /** Longest wait between looks for work when nothing signals. Default 1 s. */
  pollMs?: number;
  /** Expired-lease and retry upkeep. Default a quarter of the lease. */
  maintenanceMs?: number;
  progressIntervalMs?: number;
  cancelGraceMs?: number;
  /** On close, how long running jobs may finish before they are interrupted (and requeued). Default 0. */
  shutdownGraceMs?: number;
  /** Aborting it closes the worker. */
  signal?: AbortSignal;
  /** Keep the process alive until close(), as a server would (default true). */
  keepAlive?: boolean;
}

export interface WorkerSnapshot {
  workerId: string;
  running: Array<{ jobId: string; type: string; attempt: number }>;
  memoryUsedMb: number;
}

/** Default worker id: host, process and a random suffix, so restarts never reuse a lease owner. */
export function defaultWorkerId(): string {
  return `${hostname()}-${process.pid}-${randomBytes(2).toString('hex')}`;
}

/**
 * Runs handlers for jobs claimed from a store: per-type concurrency, memory and cost budgets (through the
 * scheduler in the store's claim), heartbeats that extend leases, abort on cancel/timeout/lost lease,
 * retries with back-off, throttled progress.
 */
export class JobWorker {
  readonly id: string;
  private readonly store: JobStore;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly types: string[];
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly limits: Record<string, number>;
  private readonly running = new Map<string, RunningAttempt>();
  private readonly tickers: Ticker[];
  private readonly wakeup: Wakeup;
  private readonly unsubscribe: () => void;
  private stopped = false;
  private interrupting = false;
  /** The last claim saw jobs waiting on a budget: start everything through the scheduler, in priority order. */
  private contended = false;
  private readonly loopDone: Promise<void>;
  private closing: Promise<void> | null = null;
  private readonly keepAlive: ReturnType<typeof setInterval> | null;

  constructor(private readonly options: JobWorkerOptions) {
    this.id = options.workerId ?? defaultWorkerId();
    this.store = options.store;
    this.clock = options.clock ?? systemClock;
    this.log = options.log.child({ worker: this.id });
    const registered = options.handlers.types();
    this.types = options.types ? options.types.filter((t) => registered.includes(t)) : registered;
    this.limits = resolveConcurrency(
      options.handlers,
      options.concurrency ?? {},
      options.hardware ?? basicHardwareProfile(),
    );
    this.leaseMs = options.leaseMs ?? 30_000;
    this.pollMs = options.pollMs ?? 1_000;
    this.wakeup = new Wakeup(this.clock);
    this.unsubscribe = this.store.onSignal((s) => this.onSignal(s));
    const upkeepFailed = (e: unknown) => this.log.error({ err: e }, 'job worker upkeep failed');
    this.tickers = [
      new Ticker(
        this.clock,
        options.heartbeatMs ?? Math.max(50, Math.floor(this.leaseMs / 3)),
        () => this.heartbeat(),
        upkeepFailed,
      ),
      new Ticker(
        this.clock,
        options.maintenanceMs ?? Math.max(50, Math.floor(this.leaseMs / 4)),
        () => this.maintain(),
        upkeepFailed,
      ),
    ];
    // The clock's timers do not hold the process open; a running worker does, like a listening server.
    this.keepAlive = options.keepAlive === false ? null : setInterval(() => undefined, 1 << 30);
    options.signal?.addEventListener('abort', () => void this.close(), { once: true });
    this.loopDone = this.loop();
  }

  /** Concurrency per job type this worker applies. */
  concurrency(): Readonly<Record<string, number>> {
    return this.limits;
  }

  snapshot(): WorkerSnapshot {
    return {
      workerId: this.id,
      running: [...this.running.values()].map((r) => ({
        jobId: r.jobId,
        type: r.job.lease.type,
        attempt: r.job.lease.attempt,
      })),
      memoryUsedMb: this.memoryUsed(),
    };
  }

  /** Stops claiming, lets running jobs finish for `shutdownGraceMs`, interrupts the rest. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.stopped = true;
    this.wake();
    await this.loopDone;
    const grace = this.options.shutdownGraceMs ?? 0;
    if (grace > 0 && this.running.size > 0) {
      await Promise.race([
        Promise.all([...this.running.values()].map((r) => r.done)),
        new Promise<void>((resolve) => this.clock.setTimeout(resolve, grace)),
      ]);
    }
    this.interrupting = true;
    while (this.running.size > 0) {
      for (const r of this.running.values()) r.abort('shutdown');
      await Promise.all([...this.running.values()].map((r) => r.done));
    }
    for (const t of this.tickers) t.stop();
    this.unsubscribe();
    if (this.keepAlive) clearInterval(this.keepAlive);
  }

  private onSignal(signal: StoreSignal): void {
    if (signal.kind === 'cancel') {
      this.running.get(signal.jobId)?.abort('cancel');
      return;
    }
    if (signal.type === null || this.types.includes(signal.type)) this.wake();
  }

  private wake(): void {
    this.wakeup.wake();
  }

  private memoryUsed(): number {
    let sum = 0;
    for (const r of this.running.values()) sum += r.job.memoryMb;
    return sum;
  }

  private freeSlots(): Record<string, number> {
    const used = new Map<string, number>();
    for (const r of this.running.values()) used.set(r.job.lease.type, (used.get(r.job.lease.type) ?? 0) + 1);
    const free: Record<string, number> = {};
    for (const type of this.types) {
      const n = (this.limits[type] ?? 1) - (used.get(type) ?? 0);
      if (n > 0) free[type] = n;
    }
    return free;
  }

  private async loop(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      this.wakeup.reset();
      let wakeAt: number | null = null;
      try {
        const freeSlots = this.freeSlots();
        if (Object.keys(freeSlots).length > 0) {
          const result = await this.store.claim({
            workerId: this.id,
            freeSlots,
            memoryBudgetMb: this.options.memoryBudgetMb ?? Number.POSITIVE_INFINITY,
            memoryUsedMb: this.memoryUsed(),
            costBudgetPerHour: this.options.costBudgetPerHour ?? null,
            leaseMs: this.leaseMs,
          });
          failures = 0;
          this.contended = result.contended;
          for (const job of result.claimed) this.start(job);
          wakeAt = result.wakeAt;
          if (result.claimed.length > 0) continue;
        }
      } catch (e) {
        failures++;
        this.log.error({ err: e }, 'could not claim jobs; trying again');
        await this.idle(this.clock.now() + Math.min(5_000, this.pollMs * 2 ** Math.min(failures, 6)));
        continue;
      }
      await this.idle(wakeAt);
    }
  }

  /** Waits for a signal, a finished job, `until`, or the poll interval, whichever is first. */
  private idle(until: number | null): Promise<void> {
    if (this.stopped) return Promise.resolve();
    const left = until === null ? this.pollMs : until - this.clock.now();
    return this.wakeup.wait(Math.min(this.pollMs, left));
  }

  private start(job: ClaimedJob): void {
    const handler = this.options.handlers.get(job.lease.type);
    const run = new RunningAttempt(job, this.id);
    this.running.set(run.jobId, run);
    if (this.interrupting) run.abort('shutdown');
    if (!handler) {
      // Claimed only for registered types; a missing handler means the registry changed underneath.
      this.log.error({ type: job.lease.type }, 'claimed a job without a handler');
    }
    run.done = (
      handler
        ? runAttempt(run, {
            store: this.store,
            handler,
            clock: this.clock,
            random: this.options.random ?? Math.random,
            log: this.log,
            progressIntervalMs: this.options.progressIntervalMs ?? 500,
            cancelGraceMs: this.options.cancelGraceMs ?? 10_000,
            nextRequest: (r) => this.nextRequest(r),
          })
        : Promise.resolve(null)
    ).then((result) => {
      this.running.delete(run.jobId);
      // A next job that did not fit means budgets are tight: go back to claiming in priority order.
      if (result?.held) this.contended = true;
      if (result?.next) this.start(result.next);
      this.wake();
    });
  }

  /** The slot a finishing job frees may go straight to the next job of its type, unless budgets are tight. */
  private nextRequest(run: RunningAttempt): NextRequest | null {
    if (this.stopped || this.contended) return null;
    const budget = this.options.memoryBudgetMb ?? Number.POSITIVE_INFINITY;
    const othersMb = this.memoryUsed() - run.job.memoryMb;
    return {
      workerId: this.id,
      leaseMs: this.leaseMs,
      memoryAllowanceMb: othersMb <= 0 ? Number.POSITIVE_INFINITY : Math.max(0, budget - othersMb),
      costBudgetPerHour: this.options.costBudgetPerHour ?? null,
    };
  }

  /** Extends the leases of running jobs (also while they wind down after an abort). */
  private async heartbeat(): Promise<void> {
    const leases: Lease[] = [...this.running.values()]
      .filter((r) => r.abortKind !== 'lease-lost')
      .map((r) => r.job.lease);
    if (leases.length === 0) return;
    const { lost, cancelRequested } = await this.store.heartbeat(leases, this.leaseMs);
    for (const id of lost) this.running.get(id)?.abort('lease-lost');
    for (const id of cancelRequested) this.running.get(id)?.abort('cancel');
  }

  private async maintain(): Promise<void> {
    if (!this.stopped) await this.store.maintain();
  }
}
