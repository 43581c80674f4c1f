import { spawn } from 'node:child_process';
import { z } from 'zod';
import { ReelforgeError } from '../../src/errors.js';
import type { Clock } from '../../src/jobs/clock.js';
import { defineJobHandler, type JobHandler } from '../../src/jobs/handlers.js';
import type { JobEvent, JobQueue } from '../../src/jobs/job-queue.js';
import type { ManagedJobQueue, WorkerSettings } from '../../src/jobs/managed-job-queue.js';

/** What a backend under test provides: queue instances that share one storage, and cleanup. */
export interface BackendUnderTest {
  /** A new queue instance over the same storage (like another process would open). */
  open(options: {
    // biome-ignore lint/suspicious/noExplicitAny: handlers of any payload type
    handlers: readonly JobHandler<any, any>[];
    clock?: Clock;
    workerDefaults?: Partial<WorkerSettings>;
  }): ManagedJobQueue;
  cleanup(): Promise<void>;
}

export type MakeBackend = () => Promise<BackendUnderTest>;

/** Fast settings so the suite runs in seconds: short leases, quick polling, no progress throttling. */
export const fastWorker: Partial<WorkerSettings> = {
  leaseMs: 1_000,
  heartbeatMs: 100,
  pollMs: 25,
  maintenanceMs: 100,
  progressIntervalMs: 0,
  cancelGraceMs: 500,
};

/** A latch that a blocking handler waits on. */
class Gate {
  private open = false;
  private waiters: Array<() => void> = [];
  release(): void {
    this.open = true;
    for (const w of this.waiters.splice(0)) w();
  }
  wait(signal: AbortSignal): Promise<void> {
    if (this.open) return Promise.resolve();
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      this.waiters.push(resolve);
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
  }
}

/**
 * Handlers with observable side effects, one kit per test: execution order, in-flight counts, memory in
 * use, latches, the pid of a child process.
 */
export class JobKit {
  readonly order: string[] = [];
  readonly runs = new Map<string, number>();
  inFlight = 0;
  /** Most jobs of one type running at the same time. */
  readonly maxInFlight = new Map<string, number>();
  private readonly inFlightByType = new Map<string, number>();
  memoryInUse = 0;
  maxMemoryInUse = 0;
  failUntilFixed = true;
  childPid: number | null = null;
  private readonly gates = new Map<string, Gate>();

  gate(name: string): Gate {
    let g = this.gates.get(name);
    if (!g) {
      g = new Gate();
      this.gates.set(name, g);
    }
    return g;
  }

  private enter(type: string, label: string, memory = 0): () => void {
    this.order.push(label);
    this.runs.set(label, (this.runs.get(label) ?? 0) + 1);
    this.inFlight++;
    const n = (this.inFlightByType.get(type) ?? 0) + 1;
    this.inFlightByType.set(type, n);
    this.maxInFlight.set(type, Math.max(this.maxInFlight.get(type) ?? 0, n));
    this.memoryInUse += memory;
    this.maxMemoryInUse = Math.max(this.maxMemoryInUse, this.memoryInUse);
    return () => {
      this.inFlight--;
      this.inFlightByType.set(type, (this.inFlightByType.get(type) ?? 1) - 1);
      this.memoryInUse -= memory;
    };
  }

  readonly handlers = [
    defineJobHandler({
      type: 'echo',
      schema: z.object({ label: z.string(), value: z.number().default(1) }),
      retry: { backoffMs: 10, maxBackoffMs: 50 },
      run: async ({ payload }) => {
        this.enter('echo', payload.label)();
        return { doubled: payload.value * 2 };
      },
    }),
    defineJobHandler({
      type: 'block',
      schema: z.object({ label: z.string(), gate: z.string().optional() }),
      concurrency: 2,
      retry: { attempts: 1 },
      run: async ({ payload, signal }) => {
        const leave = this.enter('block', payload.label);
        try {
          await this.gate(payload.gate ?? payload.label).wait(signal);
          return payload.label;
        } finally {
          leave();
        }
      },
    }),
    defineJobHandler({
      type: 'flaky',
      schema: z.object({
        label: z.string(),
        failures: z.number().int(),
        retryable: z.boolean().default(true),
      }),
      retry: { attempts: 3, backoffMs: 20, maxBackoffMs: 100, jitter: 0.5 },
      run: async ({ payload, attempt }) => {
        this.enter('flaky', payload.label)();
        if (attempt <= payload.failures) {
          throw new ReelforgeError('JOB_HANDLER_FAILED', `${payload.label} failed on attempt ${attempt}`, {
            retryable: payload.retryable,
          });
        }
        return { attempt };
      },
    }),
    defineJobHandler({
      type: 'broken',
      schema: z.object({ label: z.string() }),
      retry: { attempts: 1 },
      run: async ({ payload }) => {
        this.enter('broken', payload.label)();
        if (this.failUntilFixed) throw new Error(`${payload.label} is broken`);
        return 'fixed';
      },
    }),
    defineJobHandler({
      type: 'steps',
      schema: z.object({ label: z.string(), gate: z.string().optional() }),
      run: async ({ payload, progress, signal }) => {
        this.enter('steps', payload.label)();
        const fetch = progress.step('fetch', 1);
        const render = progress.step('render', 3);
        fetch.update(1);
        fetch.complete();
        const frames = render.step('frames', 2);
        render.step('mux', 1);
        frames.update(5, 10);
        render.message('half way');
        if (payload.gate) await this.gate(payload.gate).wait(signal);
        frames.complete();
        return 'rendered';
      },
    }),
    defineJobHandler({
      type: 'mem',
      schema: z.object({ label: z.string(), mb: z.number(), gate: z.string().optional() }),
      concurrency: 10,
      memoryMb: (p) => p.mb,
      run: async ({ payload, signal }) => {
        const leave = this.enter('mem', payload.label, payload.mb);
        try {
          if (payload.gate) await this.gate(payload.gate).wait(signal);
        } finally {
          leave();
        }
      },
    }),
    defineJobHandler({
      type: 'paid',
      schema: z.object({ label: z.string(), cost: z.number() }),
      concurrency: 10,
      cost: (p) => p.cost,
      run: async ({ payload }) => {
        this.enter('paid', payload.label)();
      },
    }),
    defineJobHandler({
      type: 'child',
      schema: z.object({ label: z.string() }),
      retry: { attempts: 1 },
      run: async ({ payload, signal }) => {
        this.enter('child', payload.label)();
        const child = spawn('sleep', ['30'], { signal, stdio: 'ignore' });
        this.childPid = child.pid ?? null;
        await new Promise<void>((resolve, reject) => {
          child.on('error', (e) => reject(signal.aborted ? signal.reason : e));
          child.on('exit', () => (signal.aborted ? reject(signal.reason) : resolve()));
        });
      },
    }),
    defineJobHandler({
      type: 'strict',
      schema: z.object({ label: z.string() }),
      run: async ({ payload }) => {
        this.enter('strict', payload.label)();
      },
    }),
  ];
}

/** A handler set where `strict` accepts anything: enqueue passes, pickup (with the real kit) fails. */
export const lenientStrict = defineJobHandler({
  type: 'strict',
  schema: z.unknown(),
  run: async () => undefined,
});

/** Polls until `check` returns true (or a value), failing after `timeoutMs` with `what`. */
export async function eventually<T>(
  check: () => T | Promise<T>,
  what: string,
  timeoutMs = 10_000,
): Promise<NonNullable<T>> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    if (Date.now() > until)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Collects events from a queue for assertions. */
export function recordEvents(queue: JobQueue): { events: JobEvent[]; stop: () => void } {
  const events: JobEvent[] = [];
  const stop = queue.subscribe((e) => events.push(e));
  return { events, stop };
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
