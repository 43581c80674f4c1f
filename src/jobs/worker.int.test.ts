import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { eventually } from '../../test/conformance/job-queue-kit.js';
import { makeTempDir } from '../../test/helpers/paths.js';
import { silentLogger } from '../log.js';
import { type Clock, createManualClock } from './clock.js';
import { createHandlerRegistry, defineJobHandler, type JobHandler } from './handlers.js';
import { createManagedJobQueue, type ManagedJobQueue } from './managed-job-queue.js';
import { openDatabase } from './sqlite/open-database.js';
import { SqliteJobStore } from './sqlite/sqlite-job-store.js';

const dirs: string[] = [];
const queues: ManagedJobQueue[] = [];
afterEach(async () => {
  for (const q of queues.splice(0)) await q.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

// biome-ignore lint/suspicious/noExplicitAny: test handlers
function sqliteQueue(handlers: JobHandler<any, any>[], clock?: Clock, path?: string) {
  const file =
    path ??
    (() => {
      const dir = makeTempDir('jobs-worker');
      dirs.push(dir);
      return join(dir, 'reelforge.db');
    })();
  const log = silentLogger();
  const store = new SqliteJobStore(openDatabase(file), { log, clock, eventPollMs: 20, ownsDatabase: true });
  const queue = createManagedJobQueue({ store, handlers: createHandlerRegistry(handlers), log, clock });
  queues.push(queue);
  return { queue, file };
}

describe('back-off with an injected clock', () => {
  it('waits exactly the computed delay before each retry, and not a millisecond less', async () => {
    const clock = createManualClock(1_000_000);
    const starts: number[] = [];
    const flaky = defineJobHandler({
      type: 'flaky',
      schema: z.object({}),
      retry: { attempts: 3, backoffMs: 1_000, maxBackoffMs: 60_000, jitter: 0.5 },
      run: async ({ attempt }) => {
        starts.push(clock.now());
        if (attempt < 3) throw new Error(`attempt ${attempt} failed`);
        return 'ok';
      },
    });
    const { queue } = sqliteQueue([flaky], clock);
    // random() = 0.5 → delay = base × (1 − 0.5 × 0.5) = 0.75 × base.
    queue.startWorker({ random: () => 0.5, leaseMs: 600_000, pollMs: 60_000 });
    const job = await queue.enqueue({ type: 'flaky', payload: {} });

    const afterFirst = await eventually(async () => {
      const j = await queue.get(job.id);
      return j.attempts === 1 && j.state === 'queued' ? j : null;
    }, 'first failure');
    expect(starts).toEqual([1_000_000]);
    expect(afterFirst.runAt).toBe(1_000_750);
    expect(afterFirst.waitReason).toContain('attempt 1 failed');
    expect(afterFirst.attemptHistory[0]).toMatchObject({
      outcome: 'failed',
      error: { message: 'attempt 1 failed' },
    });

    clock.advance(749);
    await new Promise((r) => setTimeout(r, 50));
    expect(starts).toHaveLength(1);
    clock.advance(1);
    const afterSecond = await eventually(async () => {
      const j = await queue.get(job.id);
      return j.attempts === 2 && j.state === 'queued' ? j : null;
    }, 'second failure');
    expect(starts).toEqual([1_000_000, 1_000_750]);
    expect(afterSecond.runAt).toBe(1_000_750 + 1_500);

    clock.advance(1_499);
    await new Promise((r) => setTimeout(r, 50));
    expect(starts).toHaveLength(2);
    clock.advance(1);
    await eventually(async () => (await queue.get(job.id)).state === 'completed', 'completion');
    expect(starts).toEqual([1_000_000, 1_000_750, 1_002_250]);
  });
});

describe('worker safety', () => {
  it('aborts a handler whose lease another worker took, and keeps only that worker’s outcome', async () => {
    const reasons: string[] = [];
    let runs = 0;
    const slow = defineJobHandler({
      type: 'slow',
      schema: z.object({}),
      run: async ({ signal, attempt }) => {
        runs++;
        if (attempt > 1) return `attempt ${attempt}`;
        await new Promise((_, reject) =>
          signal.addEventListener('abort', () => {
            reasons.push((signal.reason as { code: string }).code);
            reject(signal.reason);
          }),
        );
      },
    });
    const a = sqliteQueue([slow]);
    const workerA = a.queue.startWorker({ leaseMs: 60_000, heartbeatMs: 50, pollMs: 20, keepAlive: false });
    const job = await a.queue.enqueue({ type: 'slow', payload: {} });
    await eventually(async () => (await a.queue.get(job.id)).state === 'active', 'running on A');

    // Worker A stalls (say, a long GC pause) past its lease; B reclaims and runs the job.
    const b = sqliteQueue([slow], undefined, a.file);
    const db = openDatabase(a.file);
    db.prepare('UPDATE jobs_jobs SET lease_expires_at = 0 WHERE id = ?').run(job.id);
    db.close();
    b.queue.startWorker({ leaseMs: 60_000, maintenanceMs: 20, pollMs: 20, keepAlive: false });

    const done = await eventually(async () => {
      const j = await a.queue.get(job.id);
      return j.state === 'completed' ? j : null;
    }, 'completed by B');
    expect(done.result).toBe('attempt 2');
    await eventually(() => reasons.length === 1, 'A aborted');
    expect(reasons).toEqual(['JOB_LEASE_LOST']);
    expect(runs).toBe(2);
    expect(done.attemptHistory.map((x) => x.outcome)).toEqual(['lease-expired', 'completed']);
    expect(workerA.snapshot().running).toEqual([]);
  });

  it('writes off a handler that ignores its abort signal after the grace period', async () => {
    const stubborn = defineJobHandler({
      type: 'stubborn',
      schema: z.object({}),
      retry: { attempts: 1 },
      run: () => new Promise<never>(() => undefined),
    });
    const { queue } = sqliteQueue([stubborn]);
    queue.startWorker({ cancelGraceMs: 50, pollMs: 20, keepAlive: false });
    const job = await queue.enqueue({ type: 'stubborn', payload: {}, timeoutMs: 30 });
    const done = await eventually(async () => {
      const j = await queue.get(job.id);
      return j.state === 'failed' ? j : null;
    }, 'written off');
    expect(done.error?.code).toBe('JOB_TIMEOUT');
  });

  it('reports the concurrency it applies', async () => {
    const h = defineJobHandler({ type: 'enc', schema: z.object({}), workload: 'encode', run: async () => 1 });
    const { queue } = sqliteQueue([h]);
    const w = queue.startWorker({ hardware: { cpus: 8, memoryTotalMb: 8_192, hardwareEncoders: [] } });
    expect(w.concurrency()).toEqual({ enc: 2 });
  });
});
