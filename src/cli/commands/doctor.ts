import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import type { Config } from '../../config/schema.js';
import {
  DATABASE_FILE,
  defaultConcurrency,
  defaultMemoryBudgetMb,
  redactUrl,
  workloads,
} from '../../jobs/index.js';
import { detectHardware, type HardwareReport, toHardwareProfile } from '../../observability/hardware.js';
import type { CliContext, RegisterCommands } from '../context.js';
import { formatTable } from './jobs.js';

export interface QueueCheck {
  kind: 'sqlite' | 'redis';
  where: string;
  ok: boolean;
  note: string;
}

export interface DoctorReport {
  hardware: HardwareReport;
  queue: QueueCheck;
  jobs: {
    memoryBudgetMb: number;
    costBudgetPerHour: number | null;
    leaseMs: number;
    /** Default jobs at once per workload on this machine. */
    defaultConcurrency: Record<string, number>;
    /** Per-type settings from the configuration. */
    configured: Record<string, number>;
  };
  ok: boolean;
}

async function checkQueue(config: Readonly<Config>): Promise<QueueCheck> {
  if (config.queue.kind === 'sqlite') {
    const path = join(config.dataDir, DATABASE_FILE);
    if (!existsSync(path)) return { kind: 'sqlite', where: path, ok: true, note: 'created on first use' };
    // The same question /ready asks: can the database be opened and read, and is it intact?
    try {
      const db = new Database(path, { readonly: true, fileMustExist: true });
      try {
        const check = db.pragma('quick_check', { simple: true });
        const ok = check === 'ok';
        return {
          kind: 'sqlite',
          where: path,
          ok,
          note: ok ? 'database readable, intact' : `damaged: ${check}`,
        };
      } finally {
        db.close();
      }
    } catch (e) {
      return { kind: 'sqlite', where: path, ok: false, note: `cannot be opened: ${(e as Error).message}` };
    }
  }
  const where = `${redactUrl(config.queue.url)} (prefix ${config.queue.prefix})`;
  const client = new Redis(config.queue.url, {
    lazyConnect: true,
    connectTimeout: 2_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const info = await client.info('server');
    const version = info.match(/redis_version:(\S+)/)?.[1] ?? 'unknown';
    return { kind: 'redis', where, ok: true, note: `reachable, Redis ${version}` };
  } catch (e) {
    return {
      kind: 'redis',
      where,
      ok: false,
      note: `unreachable: ${e instanceof Error ? e.message : String(e)}`,
    };
  } finally {
    client.disconnect();
  }
}

/** Everything `reelforge doctor` knows, as data. */
export async function diagnose(config: Readonly<Config>, probeEncoders: boolean): Promise<DoctorReport> {
  const [hardware, queue] = await Promise.all([
    detectHardware({
      dataDir: config.dataDir,
      ffmpegPath: config.media.ffmpegPath,
      ffprobePath: config.media.ffprobePath,
      probeEncoders,
    }),
    checkQueue(config),
  ]);
  const profile = toHardwareProfile(hardware);
  return {
    hardware,
    queue,
    jobs: {
      memoryBudgetMb: config.jobs.memoryBudgetMb ?? defaultMemoryBudgetMb(profile),
      costBudgetPerHour: config.jobs.costBudgetPerHour ?? null,
      leaseMs: config.jobs.leaseMs,
      defaultConcurrency: Object.fromEntries(workloads.map((w) => [w, defaultConcurrency(w, profile)])),
      configured: { ...config.jobs.concurrency },
    },
    ok: hardware.ffmpeg.ok && queue.ok,
  };
}

const gb = (mb: number) => `${(mb / 1024).toFixed(1)} GB`;

/** The report for a person: one line per fact, then the job defaults. */
export function formatDoctor(r: DoctorReport): string {
  const h = r.hardware;
  const usable = h.hardwareEncoders.filter((e) => e.usable === true).map((e) => e.name);
  const failed = h.hardwareEncoders.filter((e) => e.usable === false);
  const untried = h.hardwareEncoders.filter((e) => e.usable === null).map((e) => e.name);
  const disk =
    h.dataDir.freeMb === null
      ? 'free space unknown'
      : `${gb(h.dataDir.freeMb)} free of ${gb(h.dataDir.totalMb ?? 0)}`;
  const rows: Array<[string, string]> = [
    ['node', `${h.node} (${h.platform} ${h.arch})`],
    ['cpu', `${h.cpus} cores, ${h.cpuModel}`],
    ['memory', `${gb(h.memoryTotalMb)} total, ${gb(h.memoryFreeMb)} free`],
    ['data folder', `${h.dataDir.path}${h.dataDir.exists ? '' : ' (not created yet)'}: ${disk}`],
    [
      'ffmpeg',
      h.ffmpeg.ok
        ? `${h.ffmpeg.version} (${h.ffmpeg.path.includes('/') ? h.ffmpeg.path : 'from the PATH'})`
        : `MISSING: ${h.ffmpeg.error}`,
    ],
  ];
  if (h.ffmpeg.ok) {
    rows.push(['encoders', h.softwareEncoders.join(', ') || '(none of the usual ones)']);
    rows.push(['hw encoders', usable.length > 0 ? `${usable.join(', ')} (tried: they work)` : 'none usable']);
    const byProblem = new Map<string, string[]>();
    for (const e of failed)
      byProblem.set(e.problem ?? 'unknown', [...(byProblem.get(e.problem ?? 'unknown') ?? []), e.name]);
    for (const [problem, names] of byProblem) rows.push(['', `not usable: ${names.join(', ')} (${problem})`]);
    if (untried.length > 0) rows.push(['', `also listed, not tried: ${untried.join(', ')}`]);
  }
  rows.push([
    'job queue',
    `${r.queue.kind} at ${r.queue.where}: ${r.queue.ok ? '' : 'PROBLEM: '}${r.queue.note}`,
  ]);
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`);
  const j = r.jobs;
  const budget =
    j.costBudgetPerHour === null ? 'no cost budget' : `cost budget ${j.costBudgetPerHour} per hour`;
  const concurrency = formatTable(
    ['WORKLOAD', 'JOBS AT ONCE'],
    Object.entries(j.defaultConcurrency).map(([w, n]) => [w, String(n)]),
  );
  const configured = Object.entries(j.configured).map(([t, n]) => `${t}=${n}`);
  return [
    'Reelforge doctor',
    ...lines,
    '',
    `Jobs on this machine: memory budget ${j.memoryBudgetMb} MB, ${budget}, lease ${j.leaseMs / 1000} s`,
    'Default concurrency per worker (a job type uses its workload’s number unless configured):',
    ...concurrency
      .trimEnd()
      .split('\n')
      .map((l) => `  ${l}`),
    ...(configured.length > 0 ? [`Configured: ${configured.join(', ')}`] : []),
    '',
    r.ok ? 'All essentials in place.' : 'Something essential is missing (see above).',
    '',
  ].join('\n');
}

async function runDoctor(ctx: CliContext, opts: { json?: boolean; probe: boolean }): Promise<number> {
  const report = await diagnose(ctx.config(), opts.probe);
  ctx.out(opts.json ? `${JSON.stringify(report, null, 2)}\n` : formatDoctor(report));
  return report.ok ? 0 : 1;
}

/** `reelforge doctor`: the machine, ffmpeg and its encoders, the job queue, and the job defaults they imply. */
export const registerDoctorCommand: RegisterCommands = (program, ctx) => {
  program
    .command('doctor')
    .description('check this machine: cores, memory, disk, ffmpeg and hardware encoders, the job queue')
    .option('--json', 'print the report as JSON')
    .option('--no-probe', 'do not try the hardware encoders with a test encode')
    .action(ctx.action((opts: { json?: boolean; probe: boolean }) => runDoctor(ctx, opts)));
};
