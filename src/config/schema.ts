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
        /** Live preview over WebSocket at /preview (docs/preview-protocol.md). */
        preview: z
          .object({
            /** A session with no message for this long is closed (its members get session.closed). */
            idleTimeoutMs: z
              .number()
              .int()
              .min(100)
              .default(15 * 60_000),
            /** Ping interval; a client that has not answered the previous ping is dropped. */
            heartbeatMs: z.number().int().min(100).default(30_000),
            /** A connection that has not authenticated by then is closed. */
            authTimeoutMs: z.number().int().min(100).default(10_000),
            maxSessions: z.number().int().min(1).default(100),
            sessionsPerConnection: z.number().int().min(1).default(4),
            membersPerSession: z.number().int().min(1).default(16),
            /**
             * One client message; larger ones are refused with an error and the connection stays. Kept
             * below `limits.wsMessageBytes`, above which the socket itself closes (1009).
             */
            messageBytes: z.number().int().min(256).default(32_768),
            /** Messages per minute per connection (scrubbing sends many); 0 turns the limit off. */
            rateLimit: z
              .object({
                perMinute: z.number().int().nonnegative().default(12_000),
                burst: z.number().int().min(1).default(600),
              })
              .strict()
              .prefault({}),
            /** Finished frames wait while the socket has more unsent bytes than this (newer ones replace them). */
            holdAboveBytes: z.number().int().min(0).default(1_048_576),
            /** Neighbouring frames are rendered into the cache after this long without a request; 0 = off. */
            prefetchDelayMs: z.number().int().nonnegative().default(200),
            /** Frame cache size in bytes. */
            cacheBytes: z
              .number()
              .int()
              .min(1_048_576)
              .default(256 * 1_048_576),
            /** Render worker threads; default: the cores. */
            workers: z.number().int().min(1).max(64).optional(),
            /** Circuit breaker around rendering. */
            breaker: z
              .object({
                /** Failures (or timeouts) in a row that open it. */
                failureThreshold: z.number().int().min(1).default(5),
                /** How long it stays open before one probe is let through. */
                openMs: z.number().int().min(10).default(5_000),
                /** A render taking longer counts as a failure. */
                timeoutMs: z.number().int().min(10).default(10_000),
              })
              .strict()
              .prefault({}),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    /** Resumable uploads (tus at /uploads): limits per file, quota per owner, expiry, early previews. */
    ingest: z
      .object({
        /** Largest file one upload may declare (`Upload-Length`); refused at creation. */
        maxBytes: z
          .number()
          .int()
          .min(1_024)
          .default(4 * 1_024 ** 3),
        /** Longest video or audio accepted, checked by ffprobe on completion. */
        maxDurationSec: z
          .number()
          .positive()
          .default(4 * 3_600),
        /** Largest picture (width × height) accepted: decompression bombs are refused from the header. */
        maxPixels: z.number().int().min(1).default(100_000_000),
        /** Bytes one owner may hold: media library plus unfinished uploads. */
        quotaBytes: z
          .number()
          .int()
          .min(1_024)
          .default(50 * 1_024 ** 3),
        /** An unfinished upload is deleted this long after its creation (tus expiration extension). */
        expirationMs: z
          .number()
          .int()
          .min(1_000)
          .default(24 * 3_600_000),
        /** How often expired uploads are looked for. */
        sweepIntervalMs: z.number().int().min(100).default(3_600_000),
        /** At most one progress event per upload in this interval (stage changes go out at once). */
        progressIntervalMs: z.number().int().nonnegative().default(250),
        /** A new early preview is tried after this share of the file (percent) or `previewEveryBytes`, whichever is more. */
        previewEveryPercent: z.number().positive().max(100).default(2),
        previewEveryBytes: z.number().int().min(1).default(1_048_576),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
