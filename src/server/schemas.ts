import { z } from 'zod';
import { type IdKind, idPattern } from '../storage/ids.js';

/** Shared zod pieces for routes: they validate requests and describe them in the OpenAPI document. */

export const problemSchema = z
  .looseObject({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string().describe('Reelforge error code; see docs/errors.md'),
    instance: z.string().optional(),
    requestId: z.string().optional(),
    details: z.unknown().optional(),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details, served as application/problem+json' });

/** Response schemas for the error statuses a route can return. */
export function errorResponses<const S extends readonly number[]>(
  ...statuses: S
): { [K in S[number]]: typeof problemSchema } {
  return Object.fromEntries(statuses.map((s) => [s, problemSchema])) as {
    [K in S[number]]: typeof problemSchema;
  };
}

export const idParam = (kind: IdKind) =>
  z.string().regex(idPattern(kind), { message: `expected a ${kind} id` });

export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
};

/** A timeline document; checked by the timeline validator (every problem with its JSON path), not here. */
export const timelineBodySchema = z
  .record(z.string(), z.unknown())
  .describe(
    'A timeline, format version 1 (JSON Schema at /schemas/timeline.json). Media are named `asset:<id>`.',
  );

export const assetSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: z.enum(['image', 'video', 'audio', 'document']),
    mime: z.string(),
    hash: z.string().describe('SHA-256 of the content'),
    bytes: z.number().int(),
    metadata: z.object({
      format: z.string(),
      width: z.number().nullable(),
      height: z.number().nullable(),
      durationSec: z.number().nullable(),
      hasAlpha: z.boolean(),
      video: z.object({ codec: z.string(), fps: z.number().nullable(), rotation: z.number() }).nullable(),
      audio: z.object({ codec: z.string(), sampleRate: z.number(), channels: z.number() }).nullable(),
    }),
    createdAt: z.number().int(),
    ref: z.string().describe('How a timeline names this asset: `asset:<id>`'),
  })
  .meta({ id: 'Asset' });

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    total: z.number().int(),
    limit: z.number().int(),
    offset: z.number().int(),
  });
}

export const projectSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    version: z.number().int().describe('current timeline version; 0 before the first save'),
    createdAt: z.number().int(),
    updatedAt: z.number().int(),
  })
  .meta({ id: 'Project' });

export const versionSummarySchema = z
  .object({
    version: z.number().int(),
    bytes: z.number().int(),
    message: z.string().nullable(),
    createdBy: z.string().nullable().describe('id of the token that saved it'),
    createdAt: z.number().int(),
  })
  .meta({ id: 'TimelineVersionSummary' });

const stepSchema: z.ZodType<unknown> = z.lazy(() =>
  z.object({
    name: z.string(),
    weight: z.number(),
    percent: z.number(),
    state: z.enum(['pending', 'running', 'done']),
    message: z.string().nullable(),
    startedAt: z.number().nullable(),
    finishedAt: z.number().nullable(),
    steps: z.array(stepSchema),
  }),
);

export const jobStateSchema = z.enum(['queued', 'waiting', 'active', 'completed', 'failed', 'cancelled']);

export const jobErrorSchema = z
  .object({ code: z.string(), message: z.string(), retryable: z.boolean(), details: z.unknown().optional() })
  .nullable();

export const renderSchema = z
  .object({
    id: z.string(),
    projectId: z.string().nullable(),
    projectVersion: z.number().int().nullable(),
    format: z.string(),
    state: jobStateSchema,
    percent: z.number().nullable(),
    etaMs: z.number().nullable().describe('milliseconds left at the recent rate; null while unknown'),
    message: z.string().nullable(),
    steps: z.array(stepSchema).describe('the step tree: prepare, audio, video, finalize, store'),
    attempts: z.number().int(),
    error: jobErrorSchema,
    cancelRequested: z.boolean(),
    createdAt: z.number().int(),
    startedAt: z.number().nullable(),
    finishedAt: z.number().nullable(),
    output: z.object({ hash: z.string(), bytes: z.number().int(), url: z.string() }).nullable(),
    result: z
      .object({
        outputHash: z.string(),
        bytes: z.number().int(),
        format: z.string(),
        width: z.number().int(),
        height: z.number().int(),
        fps: z.number(),
        frames: z.number().int(),
        durationSec: z.number(),
        videoEncoder: z.string().nullable(),
        audioEncoder: z.string().nullable(),
        timings: z.object({
          prepare: z.number(),
          audio: z.number(),
          video: z.number(),
          finalize: z.number(),
          total: z.number(),
        }),
      })
      .nullable()
      .describe('encoders, size, frames and timings (ms) once completed'),
  })
  .meta({ id: 'Render' });

/** A job as the generic jobs view shows it; fields beyond these pass through (see docs/jobs.md). */
export const jobSchema = z
  .looseObject({
    id: z.string(),
    type: z.string(),
    state: jobStateSchema,
    priority: z.enum(['urgent', 'high', 'medium', 'low']),
    attempts: z.number().int(),
    percent: z.number().nullable(),
    etaMs: z.number().nullable(),
    message: z.string().nullable(),
    error: jobErrorSchema,
    createdAt: z.number(),
  })
  .meta({ id: 'Job' });

export const jobIdParam = z.string().regex(/^[A-Za-z0-9_.-]{1,128}$/, { message: 'expected a job id' });
