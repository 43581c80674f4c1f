import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ReelforgeError } from '../../errors.js';
import {
  createJobQueue,
  DATABASE_FILE,
  type JobDetail,
  type JobQueue,
  type JobState,
  type JobSummary,
  jobStates,
  type Priority,
  priorities,
  type StepSnapshot,
} from '../../jobs/index.js';
import type { CliContext, RegisterCommands } from '../context.js';

function usage(message: string): ReelforgeError {
  return new ReelforgeError('USAGE', message, { status: 400, retryable: false });
}

function wholeNumber(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw usage(`${name} must be a whole number, got "${value}"`);
  return n;
}

/** "15m", "2h", "90s", "1d" or plain milliseconds. */
export function parseDuration(text: string): number {
  const m = text.trim().match(/^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/);
  if (!m) throw usage(`expected a duration such as 90s, 15m, 2h or 1d, got "${text}"`);
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] ?? 'ms'] ?? 1;
  return Math.round(Number(m[1]) * unit);
}

/** "850 ms", "12.3 s", "4 min 10 s", "2 h 5 min". */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  const s = Math.round(ms / 1_000);
  if (s < 3_600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3_600)} h ${Math.floor((s % 3_600) / 60)} min`;
}

function age(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1_000));
  if (s < 60) return `${s}s`;
  if (s < 3_600) return `${Math.floor(s / 60)}m`;
  if (s < 86_400) return `${Math.floor(s / 3_600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}

function clip(s: string, n: number): string {
  const one = s.replace(/\s+/g, ' ');
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
}

/** Left-aligned columns; the last one is not padded. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}

function progressCell(j: JobSummary): string {
  if (j.percent === null) return '';
  const eta = j.etaMs !== null && j.state === 'active' ? ` eta ${formatDuration(j.etaMs)}` : '';
  return `${Math.round(j.percent)}%${eta}`;
}

function noteOf(j: JobSummary): string {
  if (j.error && (j.state === 'failed' || j.state === 'cancelled' || j.state === 'queued')) {
    return `${j.error.code}: ${j.error.message}`;
  }
  if (j.cancelRequested) return 'cancel requested';
  return j.waitReason ?? j.message ?? '';
}

/** The `jobs list` table. */
export function formatJobList(jobs: JobSummary[], now: number): string {
  return formatTable(
    ['ID', 'TYPE', 'STATE', 'PRIORITY', 'ATTEMPTS', 'PROGRESS', 'AGE', 'NOTE'],
    jobs.map((j) => [
      j.id,
      j.type,
      j.state,
      j.priority,
      `${j.attempts}/${j.maxAttempts}`,
      progressCell(j),
      age(now - j.createdAt),
      clip(noteOf(j), 80),
    ]),
  );
}

function stepLines(steps: StepSnapshot[], depth: number): string[] {
  const mark = { pending: '·', running: '▸', done: '✓' } as const;
  return steps.flatMap((s) => [
    `${'  '.repeat(depth)}${mark[s.state]} ${s.name} ${Math.round(s.percent)}%${s.message ? `  ${s.message}` : ''}`,
    ...stepLines(s.steps, depth + 1),
  ]);
}

function when(t: number | null, now: number): string {
  return t === null ? '—' : `${new Date(t).toISOString()} (${age(now - t)} ago)`;
}

/** The `jobs show` page: facts, dependencies, step tree, attempts, result. */
export function formatJobDetail(
  j: JobDetail,
  depStates: Map<string, JobState>,
  now: number,
  payload: boolean,
) {
  const rows: Array<[string, string]> = [];
  let state = `${j.state}, attempt ${j.attempts} of ${j.maxAttempts}`;
  if (j.state === 'active' && j.leaseOwner) {
    state += `, on ${j.leaseOwner} (lease until ${j.leaseExpiresAt ? new Date(j.leaseExpiresAt).toISOString() : '?'})`;
  }
  if (j.cancelRequested) state += ', cancel requested';
  rows.push(['state', state], ['priority', j.priority], ['created', when(j.createdAt, now)]);
  rows.push(['queued', when(j.queuedAt, now)], ['started', when(j.startedAt, now)]);
  rows.push(['finished', when(j.finishedAt, now)]);
  const t = j.timings;
  const timing = [
    t.waitMs !== null ? `waited ${formatDuration(t.waitMs)}` : null,
    t.runMs !== null ? `ran ${formatDuration(t.runMs)}` : null,
    t.totalMs !== null ? `total ${formatDuration(t.totalMs)}` : null,
  ].filter(Boolean);
  if (timing.length > 0) rows.push(['timings', timing.join(', ')]);
  if (j.runAt !== null) rows.push(['next try', new Date(j.runAt).toISOString()]);
  if (j.dependencies.length > 0) {
    const deps = j.dependencies.map(
      (d) =>
        `${d.id} (${[d.optional ? 'optional' : null, depStates.get(d.id) ?? 'unknown'].filter(Boolean).join(', ')})`,
    );
    rows.push(['depends on', deps.join(', ')]);
  }
  rows.push(['estimates', `${j.memoryMb} MB memory, cost ${j.cost}, timeout ${formatDuration(j.timeoutMs)}`]);
  if (j.waitReason) rows.push(['waiting', j.waitReason]);
  if (j.error) rows.push(['error', `${j.error.code}: ${j.error.message}`]);
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = [`job ${j.id} (${j.type})`, ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`)];
  if (j.progress) {
    const eta =
      j.progress.etaMs !== null && j.state === 'active' ? `, eta ${formatDuration(j.progress.etaMs)}` : '';
    lines.push(
      `  progress  ${Math.round(j.progress.percent)}%${eta}${j.progress.message ? `  ${j.progress.message}` : ''}`,
    );
    lines.push(...stepLines(j.progress.steps, 2));
  }
  if (j.attemptHistory.length > 0) {
    lines.push('  attempts');
    const table = formatTable(
      ['#', 'WORKER', 'STARTED', 'WAITED', 'RAN', 'OUTCOME', 'ERROR'],
      j.attemptHistory.map((a) => [
        String(a.attempt),
        a.workerId,
        new Date(a.startedAt).toISOString(),
        formatDuration(a.waitedMs),
        a.finishedAt === null ? '' : formatDuration(a.finishedAt - a.startedAt),
        a.outcome,
        a.error ? clip(`${a.error.code}: ${a.error.message}`, 70) : '',
      ]),
    );
    lines.push(
      ...table
        .trimEnd()
        .split('\n')
        .map((l) => `    ${l}`),
    );
  }
  if (j.result !== null) lines.push(`  result  ${clip(JSON.stringify(j.result), 2_000)}`);
  if (payload) lines.push(`  payload ${JSON.stringify(j.payload, null, 2).replace(/\n/g, '\n  ')}`);
  return `${lines.join('\n')}\n`;
}

/** Opens the configured queue for one command; an embedded database that does not exist yet means no jobs. */
async function withQueue<T>(ctx: CliContext, fn: (q: JobQueue | null) => Promise<T>): Promise<T> {
  const config = ctx.config();
  if (config.queue.kind === 'sqlite' && !existsSync(join(config.dataDir, DATABASE_FILE))) return fn(null);
  // Inspecting and steering jobs needs no handlers; workers and the server register them.
  const queue = createJobQueue(config, { log: ctx.logger(), handlers: [] });
  try {
    return await fn(queue);
  } finally {
    await queue.close();
  }
}

function required(q: JobQueue | null, id: string): JobQueue {
  if (q === null) throw new ReelforgeError('JOB_NOT_FOUND', `job ${id} not found (no job database yet)`);
  return q;
}

interface ListOptions {
  state?: string;
  type?: string;
  priority?: string;
  limit: string;
  offset: string;
  json?: boolean;
}

function parseStates(text: string | undefined): JobState[] | undefined {
  if (text === undefined) return undefined;
  const states = text.split(',').map((s) => s.trim());
  for (const s of states) {
    if (!jobStates.includes(s as JobState))
      throw usage(`--state: expected ${jobStates.join(', ')}; got "${s}"`);
  }
  return states as JobState[];
}

async function list(ctx: CliContext, opts: ListOptions): Promise<number> {
  if (opts.priority !== undefined && !priorities.includes(opts.priority as Priority)) {
    throw usage(`--priority: expected ${priorities.join(', ')}; got "${opts.priority}"`);
  }
  const query = {
    state: parseStates(opts.state),
    type: opts.type,
    priority: opts.priority as Priority | undefined,
    limit: wholeNumber(opts.limit, '--limit'),
    offset: wholeNumber(opts.offset, '--offset'),
  };
  const page = await withQueue(ctx, async (q) =>
    q ? q.list(query) : { jobs: [], total: 0, limit: query.limit, offset: query.offset },
  );
  if (opts.json) {
    ctx.out(`${JSON.stringify(page, null, 2)}\n`);
    return 0;
  }
  if (page.jobs.length === 0) {
    ctx.out(page.total > 0 ? `no jobs on this page (${page.total} in all)\n` : 'no jobs\n');
    return 0;
  }
  ctx.out(formatJobList(page.jobs, Date.now()));
  const last = page.offset + page.jobs.length;
  const more = last < page.total ? ` (next page: --offset ${last})` : '';
  ctx.out(`${page.offset + 1}–${last} of ${page.total}${more}\n`);
  return 0;
}

async function show(
  ctx: CliContext,
  id: string,
  opts: { json?: boolean; payload?: boolean },
): Promise<number> {
  return withQueue(ctx, async (maybe) => {
    const q = required(maybe, id);
    const job = await q.get(id);
    if (opts.json) {
      ctx.out(`${JSON.stringify(job, null, 2)}\n`);
      return 0;
    }
    const depStates = new Map<string, JobState>();
    for (const d of job.dependencies) {
      depStates.set(d.id, (await q.get(d.id).catch(() => null))?.state ?? ('unknown' as JobState));
    }
    ctx.out(formatJobDetail(job, depStates, Date.now(), opts.payload === true));
    return 0;
  });
}

async function cancel(
  ctx: CliContext,
  id: string,
  opts: { reason?: string; json?: boolean },
): Promise<number> {
  return withQueue(ctx, async (maybe) => {
    const job = await required(maybe, id).cancel(id, opts.reason ?? 'cancelled from the command line');
    if (opts.json) ctx.out(`${JSON.stringify(job, null, 2)}\n`);
    else if (job.state === 'cancelled') ctx.out(`cancelled ${id}\n`);
    else ctx.out(`cancel requested for ${id}; its worker is stopping it\n`);
    return 0;
  });
}

async function retry(ctx: CliContext, id: string, opts: { json?: boolean }): Promise<number> {
  return withQueue(ctx, async (maybe) => {
    const job = await required(maybe, id).retry(id);
    if (opts.json) ctx.out(`${JSON.stringify(job, null, 2)}\n`);
    else
      ctx.out(`${id} is ${job.state} again (attempts so far ${job.attempts}, allowed ${job.maxAttempts})\n`);
    return 0;
  });
}

async function stats(ctx: CliContext, opts: { window: string; json?: boolean }): Promise<number> {
  const windowMs = parseDuration(opts.window);
  return withQueue(ctx, async (q) => {
    if (q === null) {
      ctx.out(opts.json ? '{}\n' : 'no jobs\n');
      return 0;
    }
    const s = await q.stats({ windowMs });
    if (opts.json) {
      ctx.out(`${JSON.stringify(s, null, 2)}\n`);
      return 0;
    }
    const counts = jobStates.map((st) => `${st} ${s.counts[st]}`).join('  ');
    const mean = (ms: number | null) => (ms === null ? '—' : formatDuration(ms));
    ctx.out(
      [
        `by state    ${counts}`,
        `last ${opts.window.padEnd(6)} completed ${s.completed} (${s.throughputPerMinute.toFixed(1)}/min), failed ${s.failed}, cancelled ${s.cancelled}`,
        `mean wait   ${mean(s.meanWaitMs)}`,
        `mean run    ${mean(s.meanRunMs)}`,
      ].join('\n') + '\n',
    );
    return 0;
  });
}

/** `reelforge jobs list | show | cancel | retry | stats`, against the configured queue. */
export const registerJobsCommands: RegisterCommands = (program, ctx) => {
  const jobs = program
    .command('jobs')
    .description('see and steer background jobs (SQLite in the data folder, or Redis when configured)');
  jobs
    .command('list')
    .description('jobs, newest first')
    .option('--state <states>', `comma-separated: ${jobStates.join(', ')}`)
    .option('--type <type>', 'one job type, e.g. render')
    .option('--priority <priority>', priorities.join(', '))
    .option('--limit <n>', 'jobs per page (1–500)', '50')
    .option('--offset <n>', 'jobs to skip', '0')
    .option('--json', 'print the page as JSON')
    .action(ctx.action((opts: ListOptions) => list(ctx, opts)));
  jobs
    .command('show')
    .description('one job: state, timings, dependencies, step tree, attempt history, result')
    .argument('<id>', 'job id')
    .option('--payload', 'also print the payload')
    .option('--json', 'print the job as JSON')
    .action(ctx.action((id: string, opts: { json?: boolean; payload?: boolean }) => show(ctx, id, opts)));
  jobs
    .command('cancel')
    .description('cancel a queued job, or stop a running one (its processes are killed)')
    .argument('<id>', 'job id')
    .option('--reason <text>', 'recorded with the job')
    .option('--json', 'print the job as JSON')
    .action(ctx.action((id: string, opts: { reason?: string; json?: boolean }) => cancel(ctx, id, opts)));
  jobs
    .command('retry')
    .description('run a failed or cancelled job again, with the dependents that failed because of it')
    .argument('<id>', 'job id')
    .option('--json', 'print the job as JSON')
    .action(ctx.action((id: string, opts: { json?: boolean }) => retry(ctx, id, opts)));
  jobs
    .command('stats')
    .description('counts by state, throughput, mean wait and run time')
    .option('--window <duration>', 'how far back rates and means look (90s, 15m, 2h, 1d)', '1h')
    .option('--json', 'print the numbers as JSON')
    .action(ctx.action((opts: { window: string; json?: boolean }) => stats(ctx, opts)));
};
