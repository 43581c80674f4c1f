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
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
