/**
 * Job queue benchmark: no-op jobs through enqueue → run → complete on both backends.
 *
 *   npm run bench:jobs                    # both backends (starts its own redis-server)
 *   BENCH_JOBS=20000 BENCH_RUNS=5 npm run bench:jobs
 *   REELFORGE_BENCH_REDIS_URL=redis://… npm run bench:jobs   # use an existing Redis
 *
 * Throughput: N jobs enqueued by 50 concurrent producers while one worker (concurrency 50) runs them;
 * jobs/s = N ÷ (first enqueue → last `job.completed` event seen by a subscriber). Latency from the enqueue
 * call to the handler's start is reported three ways: on an idle queue (one job at a time), at a steady
 * 500 jobs/s, and during the throughput burst (where it is mostly time behind the backlog). A warm-up run
 * first, then several runs; medians with min–max; the machine's load average is printed alongside.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { loadConfig } from '../src/config/load-config.js';
import type { ConfigInput } from '../src/config/schema.js';
import { createJobQueue, defineJobHandler, type ManagedJobQueue } from '../src/jobs/index.js';
import { silentLogger } from '../src/log.js';
import { startRedis } from '../test/helpers/redis.js';

const JOBS = Number(process.env.BENCH_JOBS ?? 10_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const CONCURRENCY = 50;
const PRODUCERS = 50;
const LIGHT_JOBS = 200;
const STEADY_RATE = 500;
const STEADY_SECONDS = 3;
const workDir = join(import.meta.dirname, '.work', 'jobs');

interface RunResult {
  jobsPerSecond: number;
  loadedP50Ms: number;
  loadedP95Ms: number;
  /** CPU time per job of this process, and of redis-server (when it is ours to ask). */
  nodeCpuUsPerJob: number;
  redisCpuUsPerJob: number | null;
}

/** CPU seconds redis-server has used so far (INFO cpu), or null without a Redis. */
type RedisCpu = () => Promise<number | null>;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}

const median = (xs: number[]) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    50,
  );
const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

/** Handlers share these maps with the driver; one benchmark at a time, so plain module scope is fine here. */
function makeHarness() {
  const started = new Map<string, number>();
  const noop = defineJobHandler({
    type: 'noop',
    schema: z.object({ n: z.number() }),
    concurrency: CONCURRENCY,
    run: async ({ jobId }) => {
      started.set(jobId, performance.now());
      return null;
    },
  });
  return { started, handlers: [noop] };
}

async function throughputRun(
  queue: ManagedJobQueue,
  started: Map<string, number>,
  n: number,
  redisCpu: RedisCpu,
): Promise<RunResult> {
  started.clear();
  const redis0 = await redisCpu();
  const cpu0 = process.cpuUsage();
  const enqueuedAt = new Map<string, number>();
  let completed = 0;
  let allDone: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => {
    allDone = resolve;
  });
  const stop = queue.subscribe(
    () => {
      if (++completed === n) allDone();
    },
    { types: ['job.completed'] },
  );
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: PRODUCERS }, async () => {
      while (next < n) {
        const i = next++;
        const at = performance.now();
        const job = await queue.enqueue({ type: 'noop', payload: { n: i } });
        enqueuedAt.set(job.id, at);
      }
    }),
  );
  await finished;
  const elapsed = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const redis1 = await redisCpu();
  stop();
  const latencies = [...enqueuedAt]
    .map(([id, at]) => (started.get(id) ?? Number.NaN) - at)
    .sort((a, b) => a - b);
  return {
    jobsPerSecond: n / (elapsed / 1000),
    loadedP50Ms: percentile(latencies, 50),
    loadedP95Ms: percentile(latencies, 95),
    nodeCpuUsPerJob: (cpu.user + cpu.system) / n,
    redisCpuUsPerJob: redis0 === null || redis1 === null ? null : ((redis1 - redis0) * 1e6) / n,
  };
}

/** A steady stream well below capacity: `rate` jobs per second for `seconds`, enqueued in 10 ms ticks. */
async function steadyLatency(
  queue: ManagedJobQueue,
  started: Map<string, number>,
  rate: number,
  seconds: number,
): Promise<number[]> {
  const enqueuedAt = new Map<string, number>();
  const pending: Array<Promise<unknown>> = [];
  const t0 = performance.now();
  let sent = 0;
  while (sent < rate * seconds) {
    const due = Math.min(rate * seconds, Math.floor(((performance.now() - t0) / 1000) * rate));
    for (; sent < due; sent++) {
      const at = performance.now();
      pending.push(
        queue.enqueue({ type: 'noop', payload: { n: sent } }).then((j) => enqueuedAt.set(j.id, at)),
      );
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  await Promise.all(pending);
  while ([...enqueuedAt.keys()].some((id) => !started.has(id))) await new Promise((r) => setTimeout(r, 5));
  return [...enqueuedAt].map(([id, at]) => (started.get(id) as number) - at).sort((a, b) => a - b);
}

/** One job at a time: enqueue, wait until it started, next. */
async function lightLatency(
  queue: ManagedJobQueue,
  started: Map<string, number>,
  n: number,
): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const at = performance.now();
    const job = await queue.enqueue({ type: 'noop', payload: { n: i } });
    while (!started.has(job.id)) await new Promise((r) => setImmediate(r));
    out.push((started.get(job.id) as number) - at);
  }
  return out.sort((a, b) => a - b);
}

interface BackendResult {
  backend: string;
  concurrency: number;
  jobs: number;
  runs: number;
  jobsPerSecond: { median: number; min: number; max: number };
  /** Under the throughput burst: mostly time spent behind the backlog. */
  burstLatencyMs: { p50: number; p95: number };
  /** At a steady STEADY_RATE jobs/s. */
  steadyLatencyMs: { p50: number; p95: number };
  /** One job at a time on an idle queue. */
  idleLatencyMs: { p50: number; p95: number };
  peakRssMb: number;
  /** 1-minute load average when this backend's runs started (other work on the machine). */
  loadBefore: number;
  /** CPU time per job (median of the runs): less sensitive to a busy machine than jobs/s. */
  cpuUsPerJob: { node: number; redis: number | null };
}

async function benchBackend(
  name: string,
  config: ConfigInput,
  cleanup: () => Promise<void>,
  redisCpu: RedisCpu = async () => null,
): Promise<BackendResult> {
  const loadBefore = Math.round(loadavg()[0]! * 10) / 10;
  const { started, handlers } = makeHarness();
  const queue = createJobQueue(loadConfig(config), { log: silentLogger(), handlers });
  let peakRss = 0;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 50);
  try {
    queue.startWorker({ concurrency: { noop: CONCURRENCY }, pollMs: 100, progressIntervalMs: 500 });
    process.stderr.write(`${name}: warm-up… `);
    await throughputRun(queue, started, Math.min(2_000, JOBS), redisCpu);
    const runs: RunResult[] = [];
    for (let r = 0; r < RUNS; r++) {
      const result = await throughputRun(queue, started, JOBS, redisCpu);
      runs.push(result);
      process.stderr.write(`${Math.round(result.jobsPerSecond)}/s `);
    }
    const steady = await steadyLatency(queue, started, STEADY_RATE, STEADY_SECONDS);
    const light = await lightLatency(queue, started, LIGHT_JOBS);
    process.stderr.write('\n');
    const rates = runs.map((r) => r.jobsPerSecond);
    return {
      backend: name,
      concurrency: CONCURRENCY,
      jobs: JOBS,
      runs: RUNS,
      jobsPerSecond: {
        median: Math.round(median(rates)),
        min: Math.round(Math.min(...rates)),
        max: Math.round(Math.max(...rates)),
      },
      burstLatencyMs: {
        p50: round(median(runs.map((r) => r.loadedP50Ms))),
        p95: round(median(runs.map((r) => r.loadedP95Ms))),
      },
      steadyLatencyMs: { p50: round(percentile(steady, 50), 2), p95: round(percentile(steady, 95), 2) },
      idleLatencyMs: { p50: round(percentile(light, 50), 2), p95: round(percentile(light, 95), 2) },
      peakRssMb: Math.round(peakRss / (1024 * 1024)),
      loadBefore,
      cpuUsPerJob: {
        node: Math.round(median(runs.map((r) => r.nodeCpuUsPerJob))),
        redis:
          runs[0]?.redisCpuUsPerJob == null
            ? null
            : Math.round(median(runs.map((r) => r.redisCpuUsPerJob ?? 0))),
      },
    };
  } finally {
    clearInterval(sampler);
    await queue.close();
    await cleanup();
  }
}

async function main(): Promise<void> {
  // Other work on the machine skews everything here; say how busy it was before we started.
  const loadBefore = Math.round(loadavg()[0]! * 10) / 10;
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  const results: BackendResult[] = [];

  const only = process.env.BENCH_BACKENDS?.split(',').map((s) => s.trim());
  const sqliteDir = join(workDir, 'sqlite');
  if (!only || only.includes('sqlite')) {
    results.push(
      await benchBackend('sqlite', { dataDir: sqliteDir, log: { level: 'silent' } }, async () =>
        rmSync(sqliteDir, { recursive: true, force: true }),
      ),
    );
  }
  if (only && !only.includes('redis')) {
    report(results, loadBefore, 'not run');
    return;
  }

  const external = process.env.REELFORGE_BENCH_REDIS_URL;
  const redis = external ? null : await startRedis();
  const url = external ?? (redis?.url as string);
  const probe = new Redis(url);
  const redisVersion = (await probe.info('server')).match(/redis_version:(\S+)/)?.[1] ?? 'unknown';
  const redisCpu: RedisCpu = async () => {
    const info = await probe.info('cpu');
    const user = Number(info.match(/used_cpu_user:([\d.]+)/)?.[1]);
    const sys = Number(info.match(/used_cpu_sys:([\d.]+)/)?.[1]);
    return Number.isFinite(user + sys) ? user + sys : null;
  };
  results.push(
    await benchBackend(
      'bullmq (redis)',
      {
        dataDir: workDir,
        log: { level: 'silent' },
        queue: { kind: 'redis', url, prefix: `bench${Date.now()}` },
      },
      async () => undefined,
      redisCpu,
    ),
  );
  probe.disconnect();
  await redis?.stop();

  report(results, loadBefore, redisVersion, external ? 'external' : 'local redis-server, persistence off');
  rmSync(workDir, { recursive: true, force: true });
}

function report(results: BackendResult[], loadBefore: number, redisVersion: string, redisServer = ''): void {
  const sqliteVersion = (new Database(':memory:').prepare('select sqlite_version() v').get() as { v: string })
    .v;
  const machine = {
    loadAverageBefore: loadBefore,
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    memoryGb: Math.round(totalmem() / 1024 ** 3),
    node: process.version,
    sqlite: sqliteVersion,
    redis: redisVersion,
    redisServer,
  };

  const header = [
    'backend',
    'concurrency',
    'jobs/s (median, min–max)',
    `enqueue→start p50/p95: idle`,
    `steady ${STEADY_RATE}/s`,
    `burst of ${JOBS}`,
    'CPU per job (node + redis)',
    'peak RSS',
  ];
  const rows = results.map((r) => [
    `${r.backend} (load ${r.loadBefore})`,
    String(r.concurrency),
    `${r.jobsPerSecond.median} (${r.jobsPerSecond.min}–${r.jobsPerSecond.max})`,
    `${r.idleLatencyMs.p50} / ${r.idleLatencyMs.p95} ms`,
    `${r.steadyLatencyMs.p50} / ${r.steadyLatencyMs.p95} ms`,
    `${r.burstLatencyMs.p50} / ${r.burstLatencyMs.p95} ms`,
    r.cpuUsPerJob.redis === null
      ? `${r.cpuUsPerJob.node} µs`
      : `${r.cpuUsPerJob.node} + ${r.cpuUsPerJob.redis} µs`,
    `${r.peakRssMb} MB`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  process.stdout.write(
    `\nMachine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGb} GB, Node ${machine.node}, SQLite ${machine.sqlite}, Redis ${machine.redis} (${machine.redisServer}); load average ${machine.loadAverageBefore} before the run\n`,
  );
  process.stdout.write(
    `${JOBS} no-op jobs per run, ${RUNS} runs after a warm-up, ${PRODUCERS} concurrent producers\n\n`,
  );
  process.stdout.write(`${line(header)}\n| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |\n`);
  for (const r of rows) process.stdout.write(`${line(r)}\n`);
  process.stdout.write(`\n${JSON.stringify({ machine, results }, null, 2)}\n`);
}

await main();
