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
    kind: z.enum(['image', 'video', 'audio']),
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
