import { randomBytes } from 'node:crypto';
import type { Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runJobQueueSuite } from '../../../test/conformance/job-queue.js';
import { fastWorker, JobKit } from '../../../test/conformance/job-queue-kit.js';
import { type RedisServer, startRedis } from '../../../test/helpers/redis.js';
import { silentLogger } from '../../log.js';
import { createHandlerRegistry } from '../handlers.js';
import { createManagedJobQueue } from '../managed-job-queue.js';
import { waitForJob } from '../wait-for-job.js';
import { BullmqJobStore } from './bullmq-job-store.js';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

runJobQueueSuite('bullmq (redis)', async () => {
  const prefix = `t${randomBytes(4).toString('hex')}`;
  return {
    open({ handlers, clock, workerDefaults }) {
      const log = silentLogger();
      const store = new BullmqJobStore({
        url: redis.url,
        prefix,
        log,
        clock,
        leaseMs: workerDefaults?.leaseMs ?? 1_000,
        stalledIntervalMs: 150,
        sweepAfterMs: 2_000,
      });
      return createManagedJobQueue({
        store,
        handlers: createHandlerRegistry(handlers),
        log,
        clock,
        workerDefaults,
      });
    },
    cleanup: async () => undefined,
  };
});

describe('Redis backend when Redis is down', () => {
  it('fails with QUEUE_UNAVAILABLE, naming the cause, and still closes', async () => {
    const store = new BullmqJobStore({
      url: 'redis://user:secret@127.0.0.1:1',
      prefix: 'down',
      log: silentLogger(),
      connectTimeoutMs: 300,
    });
    const queue = createManagedJobQueue({ store, handlers: createHandlerRegistry([]), log: silentLogger() });
    const error = await queue.list().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'QUEUE_UNAVAILABLE' });
    expect((error as Error).message).toContain('ECONNREFUSED');
    expect((error as Error).message).not.toContain('secret');
    await queue.close(); // resolves although QUIT can never be answered
  });
});

describe('Redis backend repairs', () => {
  it('runs a job again whose worker died between releasing the BullMQ job and recording the outcome', async () => {
    const kit = new JobKit();
    const log = silentLogger();
    const store = new BullmqJobStore({
      url: redis.url,
      prefix: `r${randomBytes(4).toString('hex')}`,
      log,
      leaseMs: 300,
      stalledIntervalMs: 100,
      sweepAfterMs: 200,
    });
    const queue = createManagedJobQueue({ store, handlers: createHandlerRegistry(kit.handlers), log });
    try {
      const job = await queue.enqueue({ type: 'echo', payload: { label: 'half-done' } });
      const claim = await store.claim({
        workerId: 'dying',
        freeSlots: { echo: 1 },
        memoryBudgetMb: Number.POSITIVE_INFINITY,
        memoryUsedMb: 0,
        costBudgetPerHour: null,
        leaseMs: 300,
      });
      const lease = claim.claimed[0]!.lease;
      // What the dying worker got done: the BullMQ job released, the outcome never recorded.
      await (lease.handle as Job).moveToCompleted(null, lease.token, false);
      expect((await queue.get(job.id)).state).toBe('active');
      queue.startWorker({ ...fastWorker, leaseMs: 300, maintenanceMs: 50, keepAlive: false });
      const done = await waitForJob(queue, job.id, { pollMs: 50 });
      expect(done.state).toBe('completed');
      expect(done.attemptHistory.map((a) => [a.workerId, a.outcome])).toEqual([
        ['dying', 'lease-expired'],
        [expect.any(String), 'completed'],
      ]);
    } finally {
      await queue.close();
    }
  });
});
