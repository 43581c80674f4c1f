import { createServices } from '../../app.js';
import type { Config } from '../../config/schema.js';
import { ReelforgeError } from '../../errors.js';
import { startServer } from '../../server/start-server.js';
import type { CliContext, RegisterCommands } from '../context.js';

interface ServeOptions {
  host?: string;
  port?: string;
  jobs: boolean;
  grace?: string;
  logRequests?: boolean;
}

function usage(message: string): ReelforgeError {
  return new ReelforgeError('USAGE', message, { status: 400, retryable: false });
}

/** The configuration with the command line's choices on top. */
export function serveConfig(config: Readonly<Config>, opts: ServeOptions): Config {
  const port = opts.port === undefined ? config.server.port : Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw usage(`--port: expected 0–65535, got "${opts.port}"`);
  const grace = opts.grace === undefined ? config.jobs.shutdownGraceMs : Number(opts.grace) * 1000;
  if (!Number.isFinite(grace) || grace < 0)
    throw usage(`--grace: expected seconds (0 or more), got "${opts.grace}"`);
  return {
    ...config,
    server: {
      ...config.server,
      host: opts.host ?? config.server.host,
      port,
      runJobs: config.server.runJobs && opts.jobs,
    },
    jobs: { ...config.jobs, shutdownGraceMs: Math.round(grace) },
  };
}

/** Resolves with the first SIGINT or SIGTERM; a second one ends the process at once. */
function untilSignal(ctx: CliContext): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let seen = false;
    const handler = (signal: NodeJS.Signals) => {
      if (seen) {
        ctx.err(
          `${signal} again: exiting now; running jobs will be picked up again after their lease expires\n`,
        );
        process.exit(130);
      }
      seen = true;
      resolve(signal);
    };
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
  });
}

async function runServe(ctx: CliContext, opts: ServeOptions): Promise<number> {
  const config = serveConfig(ctx.config(), opts);
  const services = await createServices(config);
  let server: Awaited<ReturnType<typeof startServer>> | null = null;
  try {
    server = await startServer(services, { logRequests: opts.logRequests });
    const jobs = config.server.runJobs
      ? `jobs run in this process (${services.queue.backend})`
      : 'jobs are not run here';
    ctx.out(`Reelforge listening on ${server.url}  (API docs: ${server.url}/docs)\n`);
    ctx.err(`  data folder ${services.dataDir}; ${jobs}\n`);
    ctx.err(
      server.open
        ? '  No API tokens exist: open, without authentication, to the local user on this machine only.\n' +
            '  Create a token (`reelforge token create --name me`) to require one.\n'
        : '  Requests need an API token (Authorization: Bearer …).\n',
    );
    const signal = await untilSignal(ctx);
    const grace = Math.round(config.jobs.shutdownGraceMs / 1000);
    ctx.err(`${signal}: stopping; running jobs get ${grace} s to finish, then go back to the queue\n`);
  } finally {
    await server?.close();
    await services.close();
  }
  ctx.err('stopped\n');
  return 0;
}

/** `reelforge serve`: the HTTP API, WebSocket events and in-process jobs on the embedded default. */
export const registerServeCommand: RegisterCommands = (program, ctx) => {
  program
    .command('serve')
    .description('run the server: HTTP API, WebSocket events, jobs in this process')
    .option('--host <address>', 'address to listen on (default 127.0.0.1; others need API tokens)')
    .option('--port <port>', 'port to listen on (default 7420; 0 picks a free one)')
    .option('--no-jobs', 'do not run jobs in this process (workers elsewhere take them)')
    .option('--grace <seconds>', 'on shutdown, how long running jobs may finish before they are requeued')
    .option('--log-requests', 'log every request')
    .action(ctx.action((opts: ServeOptions) => runServe(ctx, opts)));
};
