import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../test/conformance/job-queue-kit.js';
import { makeTempDir, repoRoot } from '../../test/helpers/paths.js';
import { type RedisServer, startRedis } from '../../test/helpers/redis.js';
import { loadConfig } from '../config/load-config.js';
import type { ConfigInput } from '../config/schema.js';
import { silentLogger } from '../log.js';
import { createJobQueue } from './create-job-queue.js';
import { crashableHandler } from './test-support/crashable-handler.js';
import { waitForJob } from './wait-for-job.js';

const script = join(import.meta.dirname, 'test-support', 'crash-worker.ts');

function spawnWorker(config: ConfigInput): {
  child: ChildProcess;
  ready: Promise<void>;
  exited: Promise<unknown>;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: repoRoot,
    env: { ...process.env, RF_TEST_CONFIG: JSON.stringify(config) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`worker exited early (${code})`)));
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return { child, ready, exited };
}

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

describe.each(['sqlite', 'redis'] as const)('a worker killed with SIGKILL mid-job (%s)', (backend) => {
  it('loses nothing: the job runs again on another worker after the lease expires, once', async () => {
    const dir = makeTempDir(`crash-${backend}`);
    const marker = join(dir, 'marker.txt');
    const config: ConfigInput = {
      dataDir: dir,
      log: { level: 'warn' },
      queue:
        backend === 'redis'
          ? { kind: 'redis', url: redis.url, prefix: `c${randomBytes(3).toString('hex')}` }
          : { kind: 'sqlite' },
      jobs: { leaseMs: 600 },
    };
    const queue = createJobQueue(loadConfig(config), { log: silentLogger(), handlers: [crashableHandler] });
    try {
      const job = await queue.enqueue({ type: 'crashable', payload: { marker } });

      const first = spawnWorker(config);
      await first.ready;
      await eventually(
        () => existsSync(marker) && readFileSync(marker, 'utf8').includes('start 1'),
        'attempt 1',
      );
      first.child.kill('SIGKILL');
      await first.exited;
      expect((await queue.get(job.id)).state).toBe('active');

      const second = spawnWorker(config);
      const done = await waitForJob(queue, job.id, { pollMs: 100 });
      second.child.kill('SIGTERM');
      await second.exited;

      expect(done.state).toBe('completed');
      expect(done.attempts).toBe(2);
      expect(done.attemptHistory.map((a) => a.outcome)).toEqual(['lease-expired', 'completed']);
      expect(done.result).toEqual({ pid: second.child.pid });
      const lines = readFileSync(marker, 'utf8').trim().split('\n');
      expect(lines).toEqual([
        `start 1 ${first.child.pid}`,
        `start 2 ${second.child.pid}`,
        `done 2 ${second.child.pid}`,
      ]);
    } finally {
      await queue.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
