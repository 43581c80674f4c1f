import { z } from 'zod';
import { idPattern } from '../storage/ids.js';
import { OWNER_PATTERN } from '../storage/token-store.js';
import { qualityProfileNames } from '../timeline/index.js';

/** Choices about the output that do not change the timeline itself. */
export const renderOutputSchema = z
  .object({
    profile: z.enum(qualityProfileNames).optional().describe('quality profile; default the timeline’s'),
    scale: z.number().min(0.05).max(1).optional().describe('render at a fraction of the output size'),
    from: z.number().min(0).optional().describe('first second rendered'),
    to: z.number().positive().optional().describe('end second (exclusive)'),
  })
  .strict();

export type RenderOutputOptions = z.infer<typeof renderOutputSchema>;

/**
 * The payload of a `render` job, checked at enqueue and again at pickup. The owner travels with the
 * job: the handler resolves `asset:<id>` references only among that owner's assets.
 */
export const renderPayloadSchema = z
  .object({
    owner: z.string().regex(OWNER_PATTERN),
    source: z.discriminatedUnion('kind', [
      z
        .object({
          kind: z.literal('project'),
          projectId: z.string().regex(idPattern('project')),
          version: z.number().int().min(1),
        })
        .strict(),
      z.object({ kind: z.literal('inline'), timeline: z.record(z.string(), z.unknown()) }).strict(),
    ]),
    output: renderOutputSchema.prefault({}),
  })
  .strict();

export type RenderPayload = z.infer<typeof renderPayloadSchema>;

/** What a completed render job returns (kept as the job's result). */
export interface RenderJobResult {
  outputHash: string;
  bytes: number;
  format: string;
  width: number;
  height: number;
  fps: number;
  frames: number;
  durationSec: number;
  videoEncoder: string | null;
  audioEncoder: string | null;
  timings: { prepare: number; audio: number; video: number; finalize: number; total: number };
}
