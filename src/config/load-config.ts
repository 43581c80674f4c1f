import { ReelforgeError } from '../errors.js';
import { type Config, type ConfigInput, configSchema } from './schema.js';

/** Maps environment variables onto the configuration shape. The only place that reads process.env. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ConfigInput {
  const input: Record<string, unknown> = {};
  const media: Record<string, unknown> = {};
  if (env.REELFORGE_DATA_DIR) input.dataDir = env.REELFORGE_DATA_DIR;
  if (env.REELFORGE_LOG_LEVEL) input.log = { level: env.REELFORGE_LOG_LEVEL };
  if (env.REELFORGE_FFMPEG) media.ffmpegPath = env.REELFORGE_FFMPEG;
  if (env.REELFORGE_FFPROBE) media.ffprobePath = env.REELFORGE_FFPROBE;
  if (env.REELFORGE_PROTOCOLS) media.protocols = env.REELFORGE_PROTOCOLS.split(',').map((s) => s.trim());
  if (Object.keys(media).length > 0) input.media = media;
  if (env.REELFORGE_REDIS_URL) {
    input.queue = { kind: 'redis', url: env.REELFORGE_REDIS_URL };
    if (env.REELFORGE_REDIS_PREFIX)
      (input.queue as Record<string, unknown>).prefix = env.REELFORGE_REDIS_PREFIX;
  }
  const jobs = jobsFromEnv(env);
  if (Object.keys(jobs).length > 0) input.jobs = jobs;
  const server = serverFromEnv(env);
  if (Object.keys(server).length > 0) input.server = server;
  return input as ConfigInput;
}

/** REELFORGE_HOST, REELFORGE_PORT, REELFORGE_UPLOAD_LIMIT_MB, REELFORGE_RATE_LIMIT_PER_MINUTE, REELFORGE_MIN_FREE_DISK_MB. */
function serverFromEnv(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const server: Record<string, unknown> = {};
  const limits: Record<string, unknown> = {};
  if (env.REELFORGE_HOST) server.host = env.REELFORGE_HOST;
  if (env.REELFORGE_PORT) server.port = Number(env.REELFORGE_PORT);
  if (env.REELFORGE_SERVER_JOBS)
    server.runJobs = !['0', 'false', 'no', 'off'].includes(env.REELFORGE_SERVER_JOBS);
  if (env.REELFORGE_UPLOAD_LIMIT_MB) limits.uploadBytes = Number(env.REELFORGE_UPLOAD_LIMIT_MB) * 1_048_576;
  if (env.REELFORGE_MIN_FREE_DISK_MB) limits.minFreeDiskMb = Number(env.REELFORGE_MIN_FREE_DISK_MB);
  if (Object.keys(limits).length > 0) server.limits = limits;
  if (env.REELFORGE_RATE_LIMIT_PER_MINUTE)
    server.rateLimit = { perMinute: Number(env.REELFORGE_RATE_LIMIT_PER_MINUTE) };
  return server;
}

/** REELFORGE_JOBS_*: numbers stay numbers (NaN when malformed, which the schema reports). */
function jobsFromEnv(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const jobs: Record<string, unknown> = {};
  if (env.REELFORGE_JOBS_CONCURRENCY) {
    // "render=2,generate=4"
    jobs.concurrency = Object.fromEntries(
      env.REELFORGE_JOBS_CONCURRENCY.split(',')
        .map((pair) => pair.split('=').map((s) => s.trim()))
        .filter(([type]) => type)
        .map(([type, n]) => [type, Number(n ?? Number.NaN)]),
    );
  }
  if (env.REELFORGE_JOBS_MEMORY_BUDGET_MB) jobs.memoryBudgetMb = Number(env.REELFORGE_JOBS_MEMORY_BUDGET_MB);
  if (env.REELFORGE_JOBS_COST_BUDGET_PER_HOUR)
    jobs.costBudgetPerHour = Number(env.REELFORGE_JOBS_COST_BUDGET_PER_HOUR);
  if (env.REELFORGE_JOBS_LEASE_MS) jobs.leaseMs = Number(env.REELFORGE_JOBS_LEASE_MS);
  return jobs;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** Validates configuration, reporting every problem at once, and returns a frozen result. */
export function loadConfig(input: ConfigInput = configFromEnv()): Readonly<Config> {
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ReelforgeError('CONFIG_INVALID', `invalid configuration:\n  ${problems.join('\n  ')}`, {
      status: 500,
      details: problems,
    });
  }
  return deepFreeze(parsed.data);
}
