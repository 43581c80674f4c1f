import { describe, expect, it } from 'vitest';
import { TIMELINE_SCHEMA_ID, timelineJsonSchema } from './json-schema.js';

describe('timelineJsonSchema', () => {
  it('is JSON with an $id, a title and the draft it follows', () => {
    const schema = timelineJsonSchema();
    const text = JSON.stringify(schema);
    expect(JSON.parse(text)).toEqual(schema);
    expect(schema.$id).toBe(TIMELINE_SCHEMA_ID);
    expect(schema.title).toMatch(/timeline/);
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.type).toBe('object');
  });

  it('mentions every clip type', () => {
    const text = JSON.stringify(timelineJsonSchema());
    for (const type of ['image', 'video', 'color', 'gradient', 'text', 'audio']) {
      expect(text).toContain(`"const":"${type}"`);
    }
  });

  it('describes the input side: fields with defaults are not required', () => {
    const schema = timelineJsonSchema() as { required?: string[]; properties: Record<string, unknown> };
    expect(schema.required).toEqual(['output', 'tracks']);
    expect(Object.keys(schema.properties)).toEqual(['version', 'output', 'params', 'grade', 'tracks']);
  });

  it('returns a new object on each call', () => {
    const a = timelineJsonSchema();
    a.title = 'changed';
    expect(timelineJsonSchema().title).not.toBe('changed');
  });
});
