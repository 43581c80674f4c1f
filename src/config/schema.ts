import { z } from 'zod';

/** The one configuration schema. Defaults live here; nothing else reads process.env. */
export const configSchema = z
  .object({
    dataDir: z.string().min(1).default('./reelforge-data'),
    log: z
      .object({
        level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
      })
      .strict()
      .prefault({}),
    media: z
      .object({
        /** Explicit ffmpeg binary; otherwise found on the PATH. */
        ffmpegPath: z.string().min(1).optional(),
        ffprobePath: z.string().min(1).optional(),
        /** Input protocols ffmpeg may open. Playlists and concat files cannot widen this. */
        protocols: z
          .array(z.string().regex(/^[a-z0-9]+$/))
          .min(1)
          .default(['file', 'pipe']),
      })
      .strict()
      .prefault({}),
    queue: z
      .discriminatedUnion('kind', [
        z.object({ kind: z.literal('sqlite') }).strict(),
        z
          .object({
            kind: z.literal('redis'),
            url: z.string().url(),
            prefix: z.string().min(1).default('reelforge'),
          })
          .strict(),
      ])
      .default({ kind: 'sqlite' }),
    jobs: z
      .object({
        /** Jobs of one type a worker runs at once; types not listed get a default from the hardware. */
        concurrency: z.record(z.string(), z.number().int().positive()).default({}),
        /** Sum of running jobs' memory estimates per worker, in MB; default three quarters of the RAM. */
        memoryBudgetMb: z.number().int().positive().optional(),
        /** Provider spend allowed per rolling hour across all workers; no limit when unset. */
        costBudgetPerHour: z.number().nonnegative().optional(),
        /** A worker that stops renewing its lease for this long loses the job to another worker. */
        leaseMs: z.number().int().min(200).default(30_000),
        /** Longest pause between looks for work when nothing signals. */
        pollMs: z.number().int().min(5).default(1_000),
        /** On shutdown, how long running jobs may finish before they are interrupted and requeued. */
        shutdownGraceMs: z.number().int().nonnegative().default(10_000),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
