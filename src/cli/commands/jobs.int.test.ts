import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { JobKit } from '../../../test/conformance/job-queue-kit.js';
import { makeTempDir } from '../../../test/helpers/paths.js';
import { type RedisServer, startRedis } from '../../../test/helpers/redis.js';
import { loadConfig } from '../../config/load-config.js';
import { createJobQueue, type HardwareProfile, type ManagedJobQueue, waitForJob } from '../../jobs/index.js';
import { silentLogger } from '../../log.js';
import { createCliContext, type RegisterCommands } from '../context.js';
import { registerDoctorCommand } from './doctor.js';
import { registerJobsCommands } from './jobs.js';
import { createWorkerCommand } from './worker.js';

const savedEnv = { ...process.env };
const dirs: string[] = [];
afterEach(() => {
  process.env = { ...savedEnv };
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Runs one CLI command line with only the given modules registered; returns exit code and output. */
async function cli(argv: string[], modules: RegisterCommands[]) {
  let out = '';
  let err = '';
  const ctx = createCliContext({
    out: (s) => {
      out += s;
    },
    err: (s) => {
      err += s;
    },
  });
  const program = new Command('reelforge')
    .exitOverride()
    .configureOutput({ writeOut: ctx.out, writeErr: ctx.err });
  for (const register of modules) register(program, ctx);
  let code: number;
  try {
    await program.parseAsync(['node', 'reelforge', ...argv]);
    code = ctx.exitCode;
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    code = e.exitCode === 0 ? 0 : 2;
  }
  return { code, out, err };
}

function sqliteSetup(): { dir: string; queue: ManagedJobQueue; kit: JobKit } {
  const dir = makeTempDir('cli-jobs');
  dirs.push(dir);
  process.env = { ...savedEnv, REELFORGE_DATA_DIR: dir };
  delete process.env.REELFORGE_REDIS_URL;
  const kit = new JobKit();
  const queue = createJobQueue(loadConfig({ dataDir: dir }), { log: silentLogger(), handlers: kit.handlers });
  return { dir, queue, kit };
}

describe('reelforge jobs', () => {
  const jobs = [registerJobsCommands];

  it('lists, shows, cancels, retries and counts jobs in the embedded database', async () => {
    const { queue } = sqliteSetup();
    try {
      const done = await queue.enqueue({ type: 'steps', payload: { label: 'render-a' }, priority: 'high' });
      const broken = await queue.enqueue({ type: 'broken', payload: { label: 'b' } });
      const worker = queue.startWorker({ pollMs: 20, keepAlive: false });
      await waitForJob(queue, done.id, { pollMs: 20 });
      await waitForJob(queue, broken.id, { pollMs: 20 });
      await worker.close();
      const after = await queue.enqueue({ type: 'echo', payload: { label: 'w' }, dependsOn: [done.id] });
      const queued = await queue.enqueue({ type: 'echo', payload: { label: 'q' }, priority: 'low' });
      const blocked = await queue.enqueue({ type: 'echo', payload: { label: 'x' }, dependsOn: [queued.id] });

      const list = await cli(['jobs', 'list'], jobs);
      expect(list.code).toBe(0);
      expect(list.out).toMatch(/^ID\s+TYPE\s+STATE\s+PRIORITY\s+ATTEMPTS\s+PROGRESS\s+AGE\s+NOTE/);
      expect(list.out).toContain(done.id);
      expect(list.out).toMatch(new RegExp(`${broken.id}\\s+broken\\s+failed\\s+medium\\s+1/1`));
      expect(list.out).toContain('JOB_HANDLER_FAILED: b is broken');
      expect(list.out).toContain('1–5 of 5');

      const page = await cli(['jobs', 'list', '--state', 'queued,failed', '--limit', '1', '--json'], jobs);
      const parsed = JSON.parse(page.out) as { total: number; jobs: Array<{ id: string }> };
      expect(parsed.total).toBe(3); // after, queued and broken
      expect(parsed.jobs.map((j) => j.id)).toEqual([queued.id]);

      const show = await cli(['jobs', 'show', done.id], jobs);
      expect(show.code).toBe(0);
      expect(show.out).toContain(`job ${done.id} (steps)`);
      expect(show.out).toContain('completed, attempt 1 of 3');
      expect(show.out).toContain('progress  100%');
      expect(show.out).toMatch(/✓ render 100%/);
      expect(show.out).toMatch(/#\s+WORKER\s+STARTED/);
      expect(show.out).toContain('result  "rendered"');

      const showAfter = await cli(['jobs', 'show', after.id, '--payload'], jobs);
      expect(showAfter.out).toContain(`depends on  ${done.id} (completed)`);
      expect(showAfter.out).toContain('"label": "w"');

      const cancel = await cli(['jobs', 'cancel', queued.id, '--reason', 'changed my mind'], jobs);
      expect(cancel.out).toBe(`cancelled ${queued.id}\n`);
      expect((await queue.get(blocked.id)).state).toBe('failed');

      const retry = await cli(['jobs', 'retry', queued.id], jobs);
      expect(retry.out).toContain(`${queued.id} is queued again`);
      expect((await queue.get(blocked.id)).state).toBe('waiting');

      const stats = await cli(['jobs', 'stats', '--window', '15m'], jobs);
      expect(stats.out).toMatch(
        /by state\s+queued 2\s+waiting 1\s+active 0\s+completed 1\s+failed 1\s+cancelled 0/,
      );
      expect(stats.out).toContain('completed 1');
    } finally {
      await queue.close();
    }
  });

  it('explains bad input and unknown jobs with the right exit codes', async () => {
    const { queue } = sqliteSetup();
    await queue.close();
    expect((await cli(['jobs', 'list'], jobs)).out).toBe('no jobs\n');
    const missing = await cli(['jobs', 'show', 'j_nope'], jobs);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('error [JOB_NOT_FOUND]: job j_nope not found');
    const badState = await cli(['jobs', 'list', '--state', 'sleeping'], jobs);
    expect(badState.code).toBe(2);
    expect(badState.err).toContain('--state: expected queued, waiting');
    expect((await cli(['jobs', 'stats', '--window', 'soon'], jobs)).code).toBe(2);
  });
});

describe('reelforge worker', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('explains itself when no Redis URL is configured', async () => {
    sqliteSetup();
    const notReached = () => Promise.reject(new Error('not reached'));
    const r = await cli(['worker'], [createWorkerCommand({ open: notReached })]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('REELFORGE_REDIS_URL');
  });

  it('processes jobs from Redis until stopped, and the jobs CLI sees them there', async () => {
    const dir = makeTempDir('cli-worker');
    dirs.push(dir);
    process.env = {
      ...savedEnv,
      REELFORGE_DATA_DIR: dir,
      REELFORGE_REDIS_URL: redis.url,
      REELFORGE_REDIS_PREFIX: 'cliw',
    };
    const kit = new JobKit();
    const queue = createJobQueue(
      loadConfig({ dataDir: dir, queue: { kind: 'redis', url: redis.url, prefix: 'cliw' } }),
      {
        log: silentLogger(),
        handlers: kit.handlers,
      },
    );
    const stop = new AbortController();
    try {
      const job = await queue.enqueue({ type: 'echo', payload: { label: 'remote', value: 4 } });
      const open = async (_ctx: unknown, hardware: HardwareProfile) => {
        const config = loadConfig({ queue: { kind: 'redis', url: redis.url, prefix: 'cliw' } });
        const q = createJobQueue(config, { log: silentLogger(), handlers: kit.handlers, hardware });
        return { queue: q, close: () => q.close() };
      };
      const running = cli(
        ['worker', '--no-probe', '--types', 'echo', '--concurrency', 'echo=3', '--id', 'w-test'],
        [createWorkerCommand({ open, stop: stop.signal })],
      );
      const done = await waitForJob(queue, job.id, { pollMs: 50 });
      expect(done.result).toEqual({ doubled: 8 });
      expect(done.attemptHistory[0]?.workerId).toBe('w-test');
      stop.abort();
      const r = await running;
      expect(r.code).toBe(0);
      expect(r.err).toContain('worker w-test taking jobs from redis://127.0.0.1');
      expect(r.err).toContain('types: echo×3');

      const list = await cli(['jobs', 'list', '--json'], [registerJobsCommands]);
      expect((JSON.parse(list.out) as { jobs: Array<{ id: string; state: string }> }).jobs).toEqual([
        expect.objectContaining({ id: job.id, state: 'completed' }),
      ]);
    } finally {
      stop.abort();
      await queue.close();
    }
  });

  it('refuses job types it has no handler for', async () => {
    process.env = { ...savedEnv, REELFORGE_REDIS_URL: redis.url, REELFORGE_REDIS_PREFIX: 'cliu' };
    const open = async () => {
      const config = loadConfig({ queue: { kind: 'redis', url: redis.url, prefix: 'cliu' } });
      const q = createJobQueue(config, { log: silentLogger(), handlers: [] });
      return { queue: q, close: () => q.close() };
    };
    const r = await cli(['worker', '--no-probe', '--types', 'upscale'], [createWorkerCommand({ open })]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--types: no handler for upscale');
  });
});

describe('reelforge doctor', () => {
  it('reports the machine, ffmpeg, the queue and the job defaults', async () => {
    sqliteSetup();
    const r = await cli(['doctor', '--json', '--no-probe'], [registerDoctorCommand]);
    const report = JSON.parse(r.out) as {
      hardware: { cpus: number; ffmpeg: { ok: boolean } };
      queue: { kind: string; ok: boolean };
      jobs: { defaultConcurrency: Record<string, number>; memoryBudgetMb: number };
      ok: boolean;
    };
    expect(report.hardware.cpus).toBeGreaterThan(0);
    expect(report.queue).toMatchObject({ kind: 'sqlite', ok: true });
    expect(Object.keys(report.jobs.defaultConcurrency)).toEqual(['encode', 'cpu', 'io', 'network']);
    expect(report.jobs.memoryBudgetMb).toBeGreaterThan(0);
    expect(r.code).toBe(report.ok ? 0 : 1);
    const human = await cli(['doctor', '--no-probe'], [registerDoctorCommand]);
    expect(human.out).toContain('Reelforge doctor');
    expect(human.out).toMatch(/WORKLOAD\s+JOBS AT ONCE/);
  });

  it('checks that the SQLite database can be read, and says when it is damaged', async () => {
    const { dir, queue } = sqliteSetup();
    await queue.close();
    const good = JSON.parse((await cli(['doctor', '--json', '--no-probe'], [registerDoctorCommand])).out) as {
      queue: { ok: boolean; note: string };
    };
    expect(good.queue).toMatchObject({ ok: true, note: 'database readable, intact' });
    writeFileSync(join(dir, 'reelforge.db'), 'not a database, whatever its name says');
    const r = await cli(['doctor', '--json', '--no-probe'], [registerDoctorCommand]);
    const bad = JSON.parse(r.out) as { queue: { ok: boolean; note: string } };
    expect(bad.queue.ok).toBe(false);
    expect(bad.queue.note).toContain('cannot be opened');
    expect(r.code).toBe(1);
  });

  it('says when the configured Redis cannot be reached', async () => {
    process.env = { ...savedEnv, REELFORGE_REDIS_URL: 'redis://127.0.0.1:1' };
    const r = await cli(['doctor', '--json', '--no-probe'], [registerDoctorCommand]);
    const report = JSON.parse(r.out) as { queue: { ok: boolean; note: string } };
    expect(report.queue.ok).toBe(false);
    expect(report.queue.note).toContain('unreachable');
    expect(r.code).toBe(1);
  });
});
