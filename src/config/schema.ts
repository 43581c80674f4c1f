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
    server: z
      .object({
        /** Address `reelforge serve` listens on. Anything but loopback needs API tokens. */
        host: z.string().min(1).default('127.0.0.1'),
        /** 0 picks a free port (tests). */
        port: z.number().int().min(0).max(65_535).default(7420),
        /** Run jobs inside the server process (the embedded default); false with Redis and separate workers. */
        runJobs: z.boolean().default(true),
        /** Longest a request may take from start to end (uploads included). */
        requestTimeoutMs: z.number().int().min(1_000).default(600_000),
        limits: z
          .object({
            /** JSON request bodies. */
            bodyBytes: z.number().int().min(1_024).default(1_048_576),
            /** One timeline as JSON (project saves, inline renders). */
            timelineBytes: z.number().int().min(1_024).default(1_048_576),
            /** One uploaded media file. */
            uploadBytes: z
              .number()
              .int()
              .min(1_024)
              .default(2 * 1_024 ** 3),
            /** Uploads and renders are refused when the data folder has less free space; /ready fails. */
            minFreeDiskMb: z.number().int().nonnegative().default(512),
            /** One WebSocket message from a client. */
            wsMessageBytes: z.number().int().min(256).default(65_536),
            /** Topics one WebSocket connection may follow. */
            wsSubscriptions: z.number().int().min(1).default(100),
          })
          .strict()
          .prefault({}),
        rateLimit: z
          .object({
            /** Sustained requests per minute per token (per address without one); 0 turns the limit off. */
            perMinute: z.number().int().nonnegative().default(600),
            /** Requests allowed in a burst above the sustained rate. */
            burst: z.number().int().min(1).default(120),
          })
          .strict()
          .prefault({}),
        ws: z
          .object({
            /** Ping interval; a connection that has not answered the previous ping is closed. */
            heartbeatMs: z.number().int().min(100).default(30_000),
            /** At most one progress event per job per connection in this interval (the latest wins). */
            progressThrottleMs: z.number().int().nonnegative().default(250),
            /** A connection that has not authenticated by then is closed. */
            authTimeoutMs: z.number().int().min(100).default(10_000),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
