import type { Logger } from '../log.js';
import { decideRetry } from './backoff.js';
import type { Clock, TimerHandle } from './clock.js';
import { parsePayload, type ResolvedHandler } from './handlers.js';
import { cancelledError, interruptedError, leaseLostError, timeoutError, toJobError } from './job-errors.js';
import type { JobError } from './job-queue.js';
import type { ClaimedJob, FinishResult, JobStore, NextRequest, Outcome } from './job-store.js';
import { ProgressTracker } from './progress.js';

export type AbortKind = 'cancel' | 'timeout' | 'lease-lost' | 'shutdown';

/** One attempt being run: the worker aborts it; the attempt reports its own outcome. */
export class RunningAttempt {
  readonly controller = new AbortController();
  abortKind: AbortKind | null = null;
  private abortedAt: (() => void) | null = null;
  /** Resolves once abort() was called (for the grace timer). */
  readonly aborted = new Promise<void>((resolve) => {
    this.abortedAt = resolve;
  });
  done: Promise<void> = Promise.resolve();

  constructor(
    readonly job: ClaimedJob,
    readonly workerId: string,
  ) {}

  get jobId(): string {
    return this.job.lease.jobId;
  }

  abort(kind: AbortKind, message?: string): void {
    if (this.abortKind !== null) return;
    this.abortKind = kind;
    const reason =
      kind === 'cancel'
        ? cancelledError(message ?? 'requested')
        : kind === 'timeout'
          ? timeoutError(this.job.timeoutMs)
          : kind === 'lease-lost'
            ? leaseLostError()
            : interruptedError(this.workerId);
    this.controller.abort(reason);
    this.abortedAt?.();
  }
}

export interface AttemptDeps {
  store: JobStore;
  handler: ResolvedHandler;
  clock: Clock;
  random: () => number;
  log: Logger;
  progressIntervalMs: number;
  /** How long a handler may take to stop after its signal fired before the attempt is written off. */
  cancelGraceMs: number;
  /** Whether to ask the store for the next job of the same type along with the outcome. */
  nextRequest: (run: RunningAttempt) => NextRequest | null;
}

type Settled = { ok: true; value: unknown } | { ok: false; error: unknown } | { ok: 'abandoned' };

/**
 * Runs the handler for one claimed job and records the outcome. Never throws. Returns what the store
 * said, including the next job it handed over with the outcome (it takes the slot this one frees).
 */
export async function runAttempt(run: RunningAttempt, deps: AttemptDeps): Promise<FinishResult | null> {
  const { store, handler, clock, log } = deps;
  const { lease } = run.job;
  // Child loggers are not free; most attempts never log.
  let childLog: Logger | undefined;
  const jobLog = () => {
    childLog ??= log.child({ jobId: lease.jobId, type: lease.type, attempt: lease.attempt });
    return childLog;
  };
  const progress = new ProgressFlusher(run, deps);
  let timer: TimerHandle | null = null;
  let settled: Settled;
  try {
    const payload = parsePayload(handler, JSON.parse(run.job.payloadJson) as unknown, 'pickup');
    if (run.job.timeoutMs > 0) timer = clock.setTimeout(() => run.abort('timeout'), run.job.timeoutMs);
    const work = Promise.resolve().then(() =>
      handler.run({
        jobId: lease.jobId,
        type: lease.type,
        payload,
        attempt: lease.attempt,
        maxAttempts: run.job.maxAttempts,
        signal: run.controller.signal,
        progress: progress.tracker.root,
        get log() {
          return jobLog();
        },
      }),
    );
    settled = await Promise.race([
      work.then(
        (value): Settled => ({ ok: true, value }),
        (error: unknown): Settled => ({ ok: false, error }),
      ),
      run.aborted.then(() => graceExpired(clock, deps.cancelGraceMs)),
    ]);
    if (settled.ok === 'abandoned') {
      jobLog().warn({ abort: run.abortKind }, 'handler ignored its abort signal; writing the attempt off');
      work.catch(() => undefined);
    }
  } catch (error) {
    settled = { ok: false, error };
  } finally {
    if (timer !== null) clock.clearTimeout(timer);
  }

  await progress.stop();
  if (run.abortKind === 'lease-lost') {
    jobLog().warn('lease lost; another worker owns the job now');
    return null;
  }
  const outcome = outcomeOf(settled, run, deps, progress.tracker);
  try {
    const result = await store.finish(lease, outcome, deps.nextRequest(run) ?? undefined);
    if (!result.kept) jobLog().warn('lease lost before the outcome was recorded; it was discarded');
    return result;
  } catch (e) {
    // The lease will expire and the job run again; nothing is lost.
    jobLog().error({ err: e }, 'could not record the outcome of an attempt');
    return null;
  }
}

function graceExpired(clock: Clock, ms: number): Promise<Settled> {
  return new Promise((resolve) => clock.setTimeout(() => resolve({ ok: 'abandoned' }), ms));
}

function outcomeOf(
  settled: Settled,
  run: RunningAttempt,
  deps: AttemptDeps,
  tracker: ProgressTracker,
): Outcome {
  if (settled.ok === true) {
    let resultJson: string;
    try {
      resultJson = JSON.stringify(settled.value ?? null);
    } catch (e) {
      const error: JobError = {
        code: 'JOB_HANDLER_FAILED',
        message: `the handler's result cannot be stored as JSON: ${e instanceof Error ? e.message : String(e)}`,
        retryable: false,
      };
      return { kind: 'failed', error, retryAt: null };
    }
    tracker.root.complete();
    return { kind: 'completed', resultJson, progress: tracker.snapshot() };
  }
  const reason = run.controller.signal.reason as unknown;
  if (run.abortKind === 'cancel') {
    return {
      kind: 'cancelled',
      reason: reason instanceof Error ? reason.message.replace(/^cancelled: /, '') : 'requested',
    };
  }
  if (run.abortKind === 'shutdown') return { kind: 'interrupted', error: toJobError(reason) };
  const error = toJobError(
    run.abortKind === 'timeout' ? reason : settled.ok === false ? settled.error : reason,
  );
  const { retryAt } = decideRetry({
    attempt: run.job.lease.attempt,
    maxAttempts: run.job.maxAttempts,
    retryable: error.retryable,
    policy: deps.handler.retry,
    now: deps.clock.now(),
    random: deps.random,
  });
  return { kind: 'failed', error, retryAt };
}

/** Persists progress at most every `progressIntervalMs`, in order, with a trailing write. */
class ProgressFlusher {
  readonly tracker: ProgressTracker;
  private lastWrite = Number.NEGATIVE_INFINITY;
  private timer: TimerHandle | null = null;
  private chain: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly run: RunningAttempt,
    private readonly deps: AttemptDeps,
  ) {
    this.tracker = new ProgressTracker({ now: () => deps.clock.now(), onChange: () => this.request() });
  }

  private request(): void {
    if (this.stopped || this.timer !== null) return;
    const wait = this.lastWrite + this.deps.progressIntervalMs - this.deps.clock.now();
    if (wait <= 0) this.write();
    else
      this.timer = this.deps.clock.setTimeout(() => {
        this.timer = null;
        this.write();
      }, wait);
  }

  private write(): void {
    if (this.stopped) return;
    this.lastWrite = this.deps.clock.now();
    const snapshot = this.tracker.snapshot();
    this.chain = this.chain
      .then(() => this.deps.store.saveProgress(this.run.job.lease, snapshot))
      .catch((e: unknown) =>
        this.deps.log.warn({ err: e, jobId: this.run.jobId }, 'could not save progress'),
      );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) this.deps.clock.clearTimeout(this.timer);
    this.timer = null;
    await this.chain;
  }
}
