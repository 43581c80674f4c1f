import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobDetail, JobState, JobSummary } from '../../src/jobs/job-queue.js';
import type { ManagedJobQueue, WorkerSettings } from '../../src/jobs/managed-job-queue.js';
import { waitForJob } from '../../src/jobs/wait-for-job.js';
import {
  type BackendUnderTest,
  eventually,
  fastWorker,
  isAlive,
  JobKit,
  lenientStrict,
  type MakeBackend,
  recordEvents,
} from './job-queue-kit.js';

export type { BackendUnderTest, MakeBackend } from './job-queue-kit.js';

/**
 * The contract every JobQueue backend meets. Run it with `runJobQueueSuite('sqlite', makeBackend)`.
 * Behaviour only: no timing assertions; waits are "eventually" with generous limits.
 */
export function runJobQueueSuite(name: string, makeBackend: MakeBackend): void {
  describe(`JobQueue conformance: ${name}`, () => {
    let backend: BackendUnderTest;
    let kit: JobKit;
    let queue: ManagedJobQueue;
    const extra: ManagedJobQueue[] = [];

    const open = (workerDefaults: Partial<WorkerSettings> = {}) => {
      const q = backend.open({
        handlers: kit.handlers,
        workerDefaults: { ...fastWorker, ...workerDefaults },
      });
      extra.push(q);
      return q;
    };
    const finished = (id: string, q: ManagedJobQueue = queue) => waitForJob(q, id, { pollMs: 50 });
    const stateOf = async (id: string): Promise<JobState> => (await queue.get(id)).state;

    beforeEach(async () => {
      backend = await makeBackend();
      kit = new JobKit();
      queue = open();
    });

    afterEach(async () => {
      for (const q of extra.splice(0)) await q.close();
      await backend.cleanup();
    });

    it('runs a job to completion with its result, timings, attempt history and events', async () => {
      const { events } = recordEvents(queue);
      queue.startWorker();
      const job = await queue.enqueue({ type: 'echo', payload: { label: 'a', value: 21 } });
      expect(job.state).toBe('queued');
      expect(job.priority).toBe('medium');
      const done = await finished(job.id);
      expect(done.state).toBe('completed');
      expect(done.result).toEqual({ doubled: 42 });
      expect(done.payload).toEqual({ label: 'a', value: 21 });
      expect(done.attempts).toBe(1);
      expect(done.attemptHistory).toMatchObject([{ attempt: 1, outcome: 'completed', error: null }]);
      expect(done.timings.runMs).not.toBeNull();
      expect(done.timings.waitMs).not.toBeNull();
      expect(done.percent).toBe(100);
      await eventually(() => events.some((e) => e.type === 'job.completed'), 'job.completed event');
      expect(events.filter((e) => e.jobId === job.id).map((e) => e.type)).toEqual([
        'job.queued',
        'job.started',
        'job.completed',
      ]);
    });

    it('validates at enqueue: unknown type, invalid payload, unknown dependency, bad spec', async () => {
      await expect(queue.enqueue({ type: 'nope', payload: {} })).rejects.toMatchObject({
        code: 'JOB_TYPE_UNKNOWN',
      });
      await expect(queue.enqueue({ type: 'echo', payload: { label: 3 } })).rejects.toMatchObject({
        code: 'JOB_PAYLOAD_INVALID',
        message: expect.stringContaining('payload.label'),
      });
      await expect(
        queue.enqueue({ type: 'echo', payload: { label: 'x' }, dependsOn: ['j_missing'] }),
      ).rejects.toMatchObject({
        code: 'JOB_DEPENDENCY_UNKNOWN',
        message: expect.stringContaining('j_missing'),
      });
      await expect(
        queue.enqueue({ type: 'echo', payload: { label: 'x' }, priority: 'asap' as never }),
      ).rejects.toMatchObject({ code: 'JOB_PAYLOAD_INVALID' });
      expect((await queue.list()).total).toBe(0);
    });

    it('is idempotent for a caller-chosen id', async () => {
      const a = await queue.enqueue({ id: 'render-42', type: 'echo', payload: { label: 'a' } });
      const b = await queue.enqueue({ id: 'render-42', type: 'echo', payload: { label: 'a' } });
      expect(b.id).toBe(a.id);
      expect((await queue.list()).total).toBe(1);
      await expect(
        queue.enqueue({ id: 'render-42', type: 'steps', payload: { label: 'a' } }),
      ).rejects.toMatchObject({
        code: 'JOB_STATE_CONFLICT',
      });
    });

    it('validates the payload again at pickup and fails without retrying', async () => {
      const producer = backend.open({ handlers: [lenientStrict] });
      extra.push(producer);
      const job = await producer.enqueue({ type: 'strict', payload: { label: 42 } });
      queue.startWorker();
      const done = await finished(job.id);
      expect(done.state).toBe('failed');
      expect(done.error).toMatchObject({ code: 'JOB_PAYLOAD_INVALID', retryable: false });
      expect(done.attempts).toBe(1);
      expect(kit.order).toEqual([]);
    });

    it('runs urgent before high before medium before low, first in first out within one', async () => {
      const jobs = [
        ['low-1', 'low'],
        ['medium-1', 'medium'],
        ['urgent-1', 'urgent'],
        ['medium-2', 'medium'],
        ['high-1', 'high'],
        ['urgent-2', 'urgent'],
        ['medium-3', 'medium'],
      ] as const;
      const ids: string[] = [];
      for (const [label, priority] of jobs) {
        ids.push((await queue.enqueue({ type: 'echo', payload: { label }, priority })).id);
      }
      queue.startWorker({ concurrency: { echo: 1 } });
      for (const id of ids) await finished(id);
      expect(kit.order).toEqual([
        'urgent-1',
        'urgent-2',
        'high-1',
        'medium-1',
        'medium-2',
        'medium-3',
        'low-1',
      ]);
    });

    it('never preempts a running job for an urgent one', async () => {
      queue.startWorker({ concurrency: { block: 1 } });
      const slow = await queue.enqueue({ type: 'block', payload: { label: 'slow' }, priority: 'low' });
      await eventually(async () => (await stateOf(slow.id)) === 'active', 'slow job active');
      const urgent = await queue.enqueue({ type: 'block', payload: { label: 'urgent' }, priority: 'urgent' });
      await new Promise((r) => setTimeout(r, 150));
      expect(await stateOf(slow.id)).toBe('active');
      expect(await stateOf(urgent.id)).toBe('queued');
      kit.gate('slow').release();
      kit.gate('urgent').release();
      expect((await finished(urgent.id)).state).toBe('completed');
      expect(kit.order).toEqual(['slow', 'urgent']);
    });

    it('keeps to the concurrency of each job type', async () => {
      queue.startWorker({ concurrency: { block: 2, echo: 4 } });
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        ids.push((await queue.enqueue({ type: 'block', payload: { label: `b${i}`, gate: 'all' } })).id);
      }
      await eventually(() => kit.maxInFlight.get('block') === 2, 'two block jobs running');
      const echo = await queue.enqueue({ type: 'echo', payload: { label: 'e' } });
      expect((await finished(echo.id)).state).toBe('completed');
      expect((await queue.list({ state: 'active', type: 'block' })).total).toBe(2);
      kit.gate('all').release();
      for (const id of ids) await finished(id);
      expect(kit.maxInFlight.get('block')).toBe(2);
    });

    it('retries a failing job with back-off and counts every attempt', async () => {
      const { events } = recordEvents(queue);
      queue.startWorker();
      const job = await queue.enqueue({ type: 'flaky', payload: { label: 'f', failures: 2 } });
      const done = await finished(job.id);
      expect(done.state).toBe('completed');
      expect(done.result).toEqual({ attempt: 3 });
      expect(done.attempts).toBe(3);
      expect(done.attemptHistory.map((a) => a.outcome)).toEqual(['failed', 'failed', 'completed']);
      expect(done.attemptHistory[0]?.error).toMatchObject({ code: 'JOB_HANDLER_FAILED' });
      await eventually(() => events.some((e) => e.type === 'job.completed'), 'completed event');
      const retrying = events.filter((e) => e.type === 'job.retrying');
      expect(retrying).toHaveLength(2);
      for (const e of retrying) {
        if (e.type !== 'job.retrying') continue;
        expect(e.runAt).toBeGreaterThanOrEqual(e.at);
        expect(e.error.code).toBe('JOB_HANDLER_FAILED');
      }
    });

    it('fails for good after the last attempt, keeping the last error', async () => {
      queue.startWorker();
      const job = await queue.enqueue({
        type: 'flaky',
        payload: { label: 'f', failures: 9 },
        maxAttempts: 2,
      });
      const done = await finished(job.id);
      expect(done.state).toBe('failed');
      expect(done.attempts).toBe(2);
      expect(done.error).toMatchObject({ code: 'JOB_HANDLER_FAILED', message: 'f failed on attempt 2' });
    });

    it('fails at once on an error marked non-retryable', async () => {
      queue.startWorker();
      const job = await queue.enqueue({
        type: 'flaky',
        payload: { label: 'f', failures: 9, retryable: false },
      });
      const done = await finished(job.id);
      expect(done.state).toBe('failed');
      expect(done.attempts).toBe(1);
      expect(done.error?.retryable).toBe(false);
    });

    it('times a job out through its AbortSignal', async () => {
      queue.startWorker();
      const job = await queue.enqueue({ type: 'block', payload: { label: 't' }, timeoutMs: 100 });
      const done = await finished(job.id);
      expect(done.state).toBe('failed');
      expect(done.error?.code).toBe('JOB_TIMEOUT');
      expect(kit.inFlight).toBe(0);
    });

    it('cancels a queued job at once and fails its dependents, naming it', async () => {
      const a = await queue.enqueue({ type: 'echo', payload: { label: 'a' } });
      const b = await queue.enqueue({ type: 'echo', payload: { label: 'b' }, dependsOn: [a.id] });
      const cancelled = await queue.cancel(a.id, 'not needed');
      expect(cancelled.state).toBe('cancelled');
      const dependent = await queue.get(b.id);
      expect(dependent.state).toBe('failed');
      expect(dependent.error).toMatchObject({ code: 'JOB_DEPENDENCY_FAILED' });
      expect(dependent.error?.message).toContain(a.id);
      queue.startWorker();
      await new Promise((r) => setTimeout(r, 100));
      expect(kit.order).toEqual([]);
    });

    it('cancels a running job: its signal fires and its child process dies', async () => {
      const { events } = recordEvents(queue);
      queue.startWorker();
      const job = await queue.enqueue({ type: 'child', payload: { label: 'c' } });
      const pid = await eventually(() => kit.childPid, 'child process started');
      expect(isAlive(pid)).toBe(true);
      const requested = await queue.cancel(job.id, 'user pressed stop');
      expect(requested.cancelRequested || requested.state === 'cancelled').toBe(true);
      const done = await finished(job.id);
      expect(done.state).toBe('cancelled');
      expect(done.attemptHistory.at(-1)?.outcome).toBe('cancelled');
      await eventually(() => !isAlive(pid), 'child process gone');
      await eventually(() => events.some((e) => e.type === 'job.cancelled'), 'job.cancelled event');
      const e = events.find((x) => x.type === 'job.cancelled');
      expect(e).toMatchObject({ jobId: job.id, reason: 'user pressed stop' });
    });

    it('fans out: dependents start only after their dependency succeeded', async () => {
      queue.startWorker({ concurrency: { echo: 4, block: 1 } });
      const root = await queue.enqueue({ type: 'block', payload: { label: 'root' } });
      const leaves: JobSummary[] = [];
      for (let i = 0; i < 3; i++) {
        leaves.push(
          await queue.enqueue({ type: 'echo', payload: { label: `leaf${i}` }, dependsOn: [root.id] }),
        );
      }
      expect(leaves.every((l) => l.state === 'waiting')).toBe(true);
      expect(leaves[0]?.waitReason).toContain(root.id);
      await new Promise((r) => setTimeout(r, 100));
      expect(kit.order).toEqual(['root']);
      kit.gate('root').release();
      for (const l of leaves) expect((await finished(l.id)).state).toBe('completed');
      expect(kit.order[0]).toBe('root');
    });

    it('fans in: a job waits for all of its dependencies', async () => {
      queue.startWorker({ concurrency: { block: 3, echo: 1 } });
      const parts: JobSummary[] = [];
      for (let i = 0; i < 3; i++)
        parts.push(await queue.enqueue({ type: 'block', payload: { label: `p${i}` } }));
      const join = await queue.enqueue({
        type: 'echo',
        payload: { label: 'join' },
        dependsOn: parts.map((p) => p.id),
      });
      expect(join.state).toBe('waiting');
      expect(join.dependencies.map((d) => d.id)).toEqual(parts.map((p) => p.id));
      kit.gate('p0').release();
      kit.gate('p2').release();
      await finished(parts[2]!.id);
      await new Promise((r) => setTimeout(r, 100));
      expect(await stateOf(join.id)).toBe('waiting');
      expect((await queue.get(join.id)).waitReason).toContain(parts[1]!.id);
      kit.gate('p1').release();
      expect((await finished(join.id)).state).toBe('completed');
      expect(kit.order.at(-1)).toBe('join');
    });

    it('fails dependents transitively, except through optional dependencies', async () => {
      queue.startWorker();
      const a = await queue.enqueue({ type: 'broken', payload: { label: 'a' } });
      const b = await queue.enqueue({ type: 'echo', payload: { label: 'b' }, dependsOn: [a.id] });
      const c = await queue.enqueue({ type: 'echo', payload: { label: 'c' }, dependsOn: [b.id] });
      const d = await queue.enqueue({
        type: 'echo',
        payload: { label: 'd' },
        dependsOn: [{ id: a.id, optional: true }],
      });
      expect((await finished(a.id)).state).toBe('failed');
      const bDone = await finished(b.id);
      expect(bDone.state).toBe('failed');
      expect(bDone.error).toMatchObject({ code: 'JOB_DEPENDENCY_FAILED', details: { dependency: a.id } });
      const cDone = await finished(c.id);
      expect(cDone.error?.message).toContain(b.id);
      expect((await finished(d.id)).state).toBe('completed');
      expect(kit.order.sort()).toEqual(['a', 'd']);
    });

    it('retrying a failed job revives the dependents that failed because of it', async () => {
      queue.startWorker();
      const a = await queue.enqueue({ type: 'broken', payload: { label: 'a' } });
      const b = await queue.enqueue({ type: 'echo', payload: { label: 'b' }, dependsOn: [a.id] });
      const c = await queue.enqueue({ type: 'echo', payload: { label: 'c' }, dependsOn: [b.id] });
      await finished(c.id);
      await expect(queue.retry(b.id)).rejects.toMatchObject({ code: 'JOB_STATE_CONFLICT' });
      kit.failUntilFixed = false;
      const again = await queue.retry(a.id);
      expect(['queued', 'active', 'completed']).toContain(again.state);
      for (const id of [a.id, b.id, c.id]) expect((await finished(id)).state).toBe('completed');
      const aDone = await queue.get(a.id);
      expect(aDone.attempts).toBe(2);
      expect(aDone.attemptHistory.map((x) => x.outcome)).toEqual(['failed', 'completed']);
    });

    it('settles new jobs against finished dependencies at once', async () => {
      queue.startWorker();
      const ok = await queue.enqueue({ type: 'echo', payload: { label: 'ok' } });
      const bad = await queue.enqueue({ type: 'broken', payload: { label: 'bad' } });
      await finished(ok.id);
      await finished(bad.id);
      const afterOk = await queue.enqueue({
        type: 'echo',
        payload: { label: 'after-ok' },
        dependsOn: [ok.id],
      });
      expect(['queued', 'active', 'completed']).toContain(afterOk.state);
      const afterBad = await queue.enqueue({
        type: 'echo',
        payload: { label: 'after-bad' },
        dependsOn: [bad.id],
      });
      expect(afterBad.state).toBe('failed');
      expect(afterBad.error?.code).toBe('JOB_DEPENDENCY_FAILED');
      expect((await finished(afterOk.id)).state).toBe('completed');
    });

    it('reports hierarchical progress with a step tree, percent and events', async () => {
      const { events } = recordEvents(queue);
      queue.startWorker();
      const job = await queue.enqueue({ type: 'steps', payload: { label: 's', gate: 'mid' } });
      const mid = await eventually(async () => {
        const j = await queue.get(job.id);
        return j.progress && j.progress.percent > 0 && j.message === 'half way' ? j : null;
      }, 'progress half way');
      // fetch (weight 1) done; render (weight 3) = frames 50% × 2/3 → 1/4 + 3/4 × 1/3 = 50%.
      expect(mid.percent).toBe(50);
      expect(mid.progress?.steps.map((s) => [s.name, s.state])).toEqual([
        ['fetch', 'done'],
        ['render', 'running'],
      ]);
      expect(mid.progress?.steps[1]?.steps.map((s) => s.name)).toEqual(['frames', 'mux']);
      kit.gate('mid').release();
      const done = await finished(job.id);
      expect(done.percent).toBe(100);
      await eventually(() => events.some((e) => e.type === 'job.completed'), 'completed event');
      const progress = events.filter((e) => e.type === 'job.progress');
      expect(progress.length).toBeGreaterThan(0);
      expect(progress.every((e) => e.jobId === job.id)).toBe(true);
    });

    it('lists by state, type and priority with paging, newest first', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const priority = i % 2 === 0 ? 'high' : 'low';
        ids.push((await queue.enqueue({ type: 'echo', payload: { label: `e${i}` }, priority })).id);
      }
      await queue.enqueue({ type: 'steps', payload: { label: 's' } });
      await queue.cancel(ids[0]!);
      const all = await queue.list();
      expect(all.total).toBe(6);
      expect(all.jobs[0]?.type).toBe('steps');
      const page = await queue.list({ type: 'echo', limit: 2, offset: 1 });
      expect(page.total).toBe(5);
      expect(page.jobs.map((j) => j.id)).toEqual([ids[3], ids[2]]);
      expect((await queue.list({ state: 'cancelled' })).jobs.map((j) => j.id)).toEqual([ids[0]]);
      expect((await queue.list({ state: ['queued', 'cancelled'], type: 'echo' })).total).toBe(5);
      const high = await queue.list({ priority: 'high', state: 'queued' });
      expect(high.jobs.map((j) => j.id)).toEqual([ids[4], ids[2]]);
      await expect(queue.list({ state: 'sleeping' as never })).rejects.toMatchObject({ code: 'USAGE' });
    });

    it('gives stats: counts by state, throughput, mean wait and run time', async () => {
      queue.startWorker();
      const ids: string[] = [];
      for (let i = 0; i < 3; i++)
        ids.push((await queue.enqueue({ type: 'echo', payload: { label: `e${i}` } })).id);
      const bad = await queue.enqueue({ type: 'broken', payload: { label: 'bad' } });
      for (const id of [...ids, bad.id]) await finished(id);
      await queue.enqueue({ type: 'block', payload: { label: 'waiting-one' }, dependsOn: [bad.id] });
      const stats = await queue.stats({ windowMs: 60_000 });
      expect(stats.counts).toMatchObject({ completed: 3, failed: 2, queued: 0, active: 0 });
      expect(stats.completed).toBe(3);
      expect(stats.failed).toBe(2);
      expect(stats.throughputPerMinute).toBe(3);
      expect(stats.meanWaitMs).not.toBeNull();
      expect(stats.meanRunMs).not.toBeNull();
    });

    it('keeps within the memory budget: jobs wait rather than oversubscribe, and say why', async () => {
      queue.startWorker({ memoryBudgetMb: 1_000 });
      const big = await queue.enqueue({ type: 'mem', payload: { label: 'big', mb: 700, gate: 'big' } });
      await eventually(async () => (await stateOf(big.id)) === 'active', 'big job active');
      const second = await queue.enqueue({ type: 'mem', payload: { label: 'second', mb: 600 } });
      const small = await queue.enqueue({
        type: 'mem',
        payload: { label: 'small', mb: 200 },
        priority: 'low',
      });
      const held = await eventually(async () => {
        const j = await queue.get(second.id);
        return j.waitReason?.includes('memory budget') ? j : null;
      }, 'memory hold reason');
      expect(held.state).toBe('queued');
      expect(await stateOf(small.id)).toBe('queued'); // behind the larger, higher-ranked job
      kit.gate('big').release();
      for (const id of [second.id, small.id]) expect((await finished(id)).state).toBe('completed');
      expect(kit.maxMemoryInUse).toBeLessThanOrEqual(1_000);
    });

    it('keeps within the cost budget per hour: a job that would exceed it waits, and says why', async () => {
      queue.startWorker({ costBudgetPerHour: 1 });
      const paid: JobSummary[] = [];
      for (let i = 0; i < 3; i++) {
        paid.push(await queue.enqueue({ type: 'paid', payload: { label: `p${i}`, cost: 0.4 } }));
      }
      await finished(paid[0]!.id);
      await finished(paid[1]!.id);
      const held = await eventually(async () => {
        const j = await queue.get(paid[2]!.id);
        return j.waitReason?.includes('cost budget') ? j : null;
      }, 'cost hold reason');
      expect(held.state).toBe('queued');
      expect(held.waitReason).toMatch(/0\.80 of 1 per hour/);
      const free = await queue.enqueue({ type: 'echo', payload: { label: 'free' } });
      expect((await finished(free.id)).state).toBe('completed');
      expect(await stateOf(paid[2]!.id)).toBe('queued');
      expect(kit.order.filter((l) => l.startsWith('p'))).toEqual(['p0', 'p1']);
    });

    it('runs a job again when its lease expires, counting the attempt', async () => {
      const job = await queue.enqueue({ type: 'echo', payload: { label: 'orphan' } });
      // A worker that claims the job and then dies: never heartbeats, never finishes.
      const claim = await queue.store.claim({
        workerId: 'doomed',
        freeSlots: { echo: 1 },
        memoryBudgetMb: Number.POSITIVE_INFINITY,
        memoryUsedMb: 0,
        costBudgetPerHour: null,
        leaseMs: 300,
      });
      expect(claim.claimed.map((c) => c.lease.jobId)).toEqual([job.id]);
      expect(await stateOf(job.id)).toBe('active');
      queue.startWorker({ leaseMs: 300 });
      const done = await finished(job.id);
      expect(done.state).toBe('completed');
      expect(done.attempts).toBe(2);
      expect(done.attemptHistory[0]).toMatchObject({ workerId: 'doomed', outcome: 'lease-expired' });
      expect(done.attemptHistory[1]?.outcome).toBe('completed');
      expect(kit.runs.get('orphan')).toBe(1);
      // The dead worker's late report is refused.
      const late = claim.claimed[0]!;
      const refused = await queue.store.finish(late.lease, {
        kind: 'completed',
        resultJson: '"late"',
        progress: null,
      });
      expect(refused).toEqual({ kept: false, next: null });
      expect((await queue.get(job.id)).result).toEqual({ doubled: 2 });
    });

    it('delivers events to every queue instance that shares the backend', async () => {
      const other = open();
      const { events } = recordEvents(other);
      queue.startWorker();
      const job = await queue.enqueue({ type: 'echo', payload: { label: 'x' } });
      await eventually(
        () => events.some((e) => e.type === 'job.completed' && e.jobId === job.id),
        'remote event',
      );
      expect(events.filter((e) => e.jobId === job.id).map((e) => e.type)).toEqual([
        'job.queued',
        'job.started',
        'job.completed',
      ]);
      const filtered: string[] = [];
      const stop = other.subscribe((e) => filtered.push(e.type), { types: ['job.completed'] });
      const second = await queue.enqueue({ type: 'echo', payload: { label: 'y' } });
      await finished(second.id);
      await eventually(() => filtered.length === 1, 'filtered event');
      stop();
      expect(filtered).toEqual(['job.completed']);
    });

    it('loses nothing across a restart: queued jobs run on a new instance', async () => {
      const a = await queue.enqueue({ type: 'echo', payload: { label: 'a' } });
      const b = await queue.enqueue({ type: 'echo', payload: { label: 'b' }, dependsOn: [a.id] });
      await queue.close();
      const reopened = open();
      expect((await reopened.get(b.id)).state).toBe('waiting');
      reopened.startWorker();
      expect((await finished(b.id, reopened)).state).toBe('completed');
      expect(kit.order).toEqual(['a', 'b']);
    });

    it('refuses impossible transitions and unknown ids', async () => {
      queue.startWorker();
      const a = await queue.enqueue({ type: 'echo', payload: { label: 'a' } });
      await finished(a.id);
      await expect(queue.cancel(a.id)).rejects.toMatchObject({ code: 'JOB_STATE_CONFLICT' });
      await expect(queue.retry(a.id)).rejects.toMatchObject({ code: 'JOB_STATE_CONFLICT' });
      await expect(queue.get('j_nope')).rejects.toMatchObject({ code: 'JOB_NOT_FOUND' });
      await expect(queue.cancel('j_nope')).rejects.toMatchObject({ code: 'JOB_NOT_FOUND' });
    });

    it('closes idempotently and refuses work afterwards', async () => {
      queue.startWorker();
      const first = queue.close();
      expect(queue.close()).toBe(first);
      await first;
      await expect(queue.enqueue({ type: 'echo', payload: { label: 'late' } })).rejects.toMatchObject({
        code: 'QUEUE_CLOSED',
      });
    });

    it('interrupts running jobs on worker close and runs them again elsewhere', async () => {
      const worker = queue.startWorker();
      const job = await queue.enqueue({ type: 'block', payload: { label: 'long' } });
      await eventually(async () => (await stateOf(job.id)) === 'active', 'job active');
      await worker.close();
      const after = await queue.get(job.id);
      expect(after.state).toBe('queued');
      expect(after.attemptHistory[0]?.outcome).toBe('interrupted');
      kit.gate('long').release();
      queue.startWorker();
      const done: JobDetail = await finished(job.id);
      expect(done.state).toBe('completed');
      expect(done.attempts).toBe(2);
    });
  });
}
