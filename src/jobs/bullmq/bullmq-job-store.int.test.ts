import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { runJobQueueSuite } from '../../../test/conformance/job-queue.js';
import { type RedisServer, startRedis } from '../../../test/helpers/redis.js';
import { silentLogger } from '../../log.js';
import { createHandlerRegistry } from '../handlers.js';
import { createManagedJobQueue } from '../managed-job-queue.js';
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
