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
  if (env.REELFORGE_REDIS_URL) input.queue = { kind: 'redis', url: env.REELFORGE_REDIS_URL };
  return input as ConfigInput;
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
