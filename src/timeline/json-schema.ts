import { z } from 'zod';
import { timelineSchema } from './schema.js';

/** The `$id` of the timeline v1 JSON Schema. */
export const TIMELINE_SCHEMA_ID = 'https://reelforge.dev/schemas/timeline-v1.json';

/**
 * The timeline format as JSON Schema (draft 2020-12), describing what a person may write (defaults
 * optional), for editors and other languages. Rules that span fields (keyframes within the clip,
 * track references) are checked only by validateTimeline. A new object on every call.
 */
export function timelineJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(timelineSchema, { io: 'input' }) as Record<string, unknown>;
  return {
    $schema: schema.$schema,
    $id: TIMELINE_SCHEMA_ID,
    title: 'Reelforge timeline, version 1',
    description:
      'A video described as tracks of clips. Times are seconds; positions are fractions of the output frame.',
    ...Object.fromEntries(Object.entries(schema).filter(([key]) => key !== '$schema')),
  };
}
