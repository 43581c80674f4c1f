import { createServices } from '../../app.js';
import { ReelforgeError } from '../../errors.js';
import { type HardwareProfile, type ManagedJobQueue, redactUrl } from '../../jobs/index.js';
import { detectHardware, toHardwareProfile } from '../../observability/hardware.js';
import type { CliContext, RegisterCommands } from '../context.js';

/** A job queue with the handlers this build runs, and how to close what was opened for it. */
export interface WorkerQueue {
  queue: ManagedJobQueue;
  close(): Promise<void>;
}

export interface WorkerCommandDeps {
  /** Opens the queue with its handlers; by default the composition root's (`createServices`). */
  open: (ctx: CliContext, hardware: HardwareProfile) => Promise<WorkerQueue>;
  /** Stops the worker when aborted (tests); otherwise SIGINT/SIGTERM do. */
  stop?: AbortSignal;
}

interface WorkerOptions {
  types?: string;
  concurrency?: string;
  id?: string;
  probe: boolean;
}

function parseConcurrency(text: string | undefined): Record<string, number> {
  if (!text) return {};
  const out: Record<string, number> = {};
  for (const pair of text.split(',')) {
    const [type, n] = pair.split('=').map((s) => s.trim());
    const value = Number(n);
    if (!type || !Number.isInteger(value) || value < 1) {
      throw new ReelforgeError(
        'USAGE',
        `--concurrency: expected type=n pairs such as render=2,generate=4; got "${pair}"`,
      );
    }
    out[type] = value;
  }
  return out;
}

/** Resolves on the first SIGINT/SIGTERM (or abort); a second signal exits at once. */
function stopRequested(stop: AbortSignal | undefined, onSecond: () => void): Promise<string> {
  return new Promise((resolve) => {
    if (stop) {
      if (stop.aborted) return resolve('stop');
      stop.addEventListener('abort', () => resolve('stop'), { once: true });
      return;
    }
    let seen = false;
    const handler = (signal: NodeJS.Signals) => {
      if (seen) return onSecond();
      seen = true;
      resolve(signal);
    };
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
  });
}

async function runWorker(ctx: CliContext, deps: WorkerCommandDeps, opts: WorkerOptions): Promise<number> {
  const config = ctx.config();
  if (config.queue.kind !== 'redis') {
    throw new ReelforgeError(
      'USAGE',
      '`reelforge worker` takes jobs from Redis, and no Redis URL is configured.\n' +
        '  Set REELFORGE_REDIS_URL (for example redis://localhost:6379) here and on the server, then run it again.\n' +
        '  Without Redis, jobs run inside `reelforge serve` from the SQLite database in the data folder.',
    );
  }
  const report = await detectHardware({
    dataDir: config.dataDir,
    ffmpegPath: config.media.ffmpegPath,
    ffprobePath: config.media.ffprobePath,
    probeEncoders: opts.probe,
  });
  const opened = await deps.open(ctx, toHardwareProfile(report));
  const { queue } = opened;
  try {
    await queue.stats({ windowMs: 60_000 }); // fails fast with QUEUE_UNAVAILABLE when Redis is unreachable
    const types = opts.types?.split(',').map((s) => s.trim());
    const unknown = (types ?? []).filter((t) => !queue.handlers.types().includes(t));
    if (unknown.length > 0) {
      throw new ReelforgeError(
        'USAGE',
        `--types: no handler for ${unknown.join(', ')}; known: ${queue.handlers.types().join(', ') || '(none)'}`,
      );
    }
    const worker = queue.startWorker({
      types,
      concurrency: { ...config.jobs.concurrency, ...parseConcurrency(opts.concurrency) },
      workerId: opts.id,
    });
    const running = Object.entries(worker.concurrency())
      .filter(([t]) => !types || types.includes(t))
      .map(([t, n]) => `${t}×${n}`);
    const budget =
      config.jobs.costBudgetPerHour === undefined ? 'none' : `${config.jobs.costBudgetPerHour}/hour`;
    ctx.err(
      `worker ${worker.id} taking jobs from ${redactUrl(config.queue.url)} (prefix ${config.queue.prefix})\n`,
    );
    ctx.err(`  types: ${running.join(', ') || '(none)'}; cost budget: ${budget}; Ctrl-C stops it\n`);
    if (queue.handlers.types().length === 0) {
      ctx.err('  note: no job handlers are registered in this build, so nothing will run\n');
    }
    const signal = await stopRequested(deps.stop, () => process.exit(130));
    const grace = config.jobs.shutdownGraceMs;
    ctx.err(
      `${signal}: stopping; running jobs get ${Math.round(grace / 1000)} s to finish, then go back to the queue\n`,
    );
  } finally {
    await opened.close();
  }
  return 0;
}

/** Builds `reelforge worker` with the handlers the build provides. */
export function createWorkerCommand(deps: WorkerCommandDeps): RegisterCommands {
  return (program, ctx) => {
    program
      .command('worker')
      .description('process jobs from Redis on this machine (scale out: run one per machine)')
      .option('--types <types>', 'only these job types, comma-separated')
      .option(
        '--concurrency <pairs>',
        'jobs at once per type, e.g. render=2,generate=8 (default from the hardware)',
      )
      .option('--id <id>', 'worker id shown in job histories (default host-pid-random)')
      .option('--no-probe', 'do not try the hardware encoders (faster start; they count as absent)')
      .action(ctx.action((opts: WorkerOptions) => runWorker(ctx, deps, opts)));
  };
}

/** `reelforge worker` as the CLI registers it: the handlers of the composition root (render, …). */
export const registerWorkerCommand: RegisterCommands = createWorkerCommand({
  async open(ctx, hardware) {
    const services = await createServices(ctx.config(), { log: ctx.logger(), hardware });
    return { queue: services.queue, close: () => services.close() };
  },
});
