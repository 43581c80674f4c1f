import { describe, expect, it } from 'vitest';
import { isReelforgeError } from '../errors.js';
import { findJsonSyntaxError, lineColumn } from './json-position.js';
import { parseTimelineJson } from './validate.js';

function parseError(text: string): { line: number; column: number; reason: string } | undefined {
  const found = findJsonSyntaxError(text);
  return found && { line: found.line, column: found.column, reason: found.reason };
}

describe('findJsonSyntaxError', () => {
  it('finds nothing wrong in valid JSON, whatever JSON.parse accepts', () => {
    for (const text of [
      '{}',
      '[]',
      ' 1 ',
      '"a\\u00e9\\n"',
      '{"a":[1,-2.5e3,true,false,null,{"b":"c"}]}',
      '\n[\r\n]\n',
    ]) {
      expect(() => JSON.parse(text)).not.toThrow();
      expect(findJsonSyntaxError(text)).toBeUndefined();
    }
  });

  it('locates common mistakes by line and column', () => {
    expect(parseError('{"a":1,}')).toEqual({
      line: 1,
      column: 8,
      reason: 'expected a property name in double quotes, got "}" (a trailing comma is not allowed)',
    });
    expect(parseError('[1,\n 2,\n]')).toEqual({
      line: 3,
      column: 1,
      reason: 'expected a value, got "]" (a trailing comma is not allowed)',
    });
    expect(parseError('{\n  "width": tru\n}')).toEqual({
      line: 2,
      column: 12,
      reason: 'expected a value, got "tru"',
    });
    expect(parseError('{"a" 1}')?.reason).toBe('expected \':\' after the property name, got "1"');
    expect(parseError("{'a': 1}")?.reason).toBe(
      'expected a property name in double quotes, got "\'" (strings need double quotes)',
    );
    expect(parseError('{"a": 1 // note\n}')?.reason).toBe(
      "expected ',' or '}', got \"/\" (JSON has no comments)",
    );
    expect(parseError('{} {}')?.reason).toBe('unexpected "{" after the end of the JSON value');
    expect(parseError('{"a": "open')).toEqual({ line: 1, column: 7, reason: 'unterminated string' });
    expect(parseError('')?.reason).toBe('expected a value, got the end of the text');
  });

  it('does not overflow the stack on deeply nested input', () => {
    expect(parseError('['.repeat(200_000))?.reason).toBe('expected a value, got the end of the text');
  });

  it('counts lines and columns from 1', () => {
    expect(lineColumn('ab\ncd', 0)).toEqual({ line: 1, column: 1 });
    expect(lineColumn('ab\ncd', 4)).toEqual({ line: 2, column: 2 });
  });
});

describe('parseTimelineJson', () => {
  it('parses valid JSON into a validated timeline, ignoring a byte-order mark', () => {
    const text = '\ufeff{"output":{"width":640,"height":360,"duration":2},"tracks":[{"clips":[]}]}';
    expect(parseTimelineJson(text, 'a.json').output.duration).toBe(2);
  });

  it('throws TIMELINE_PARSE with source, line, column and the line at fault', () => {
    try {
      parseTimelineJson('{\n  "output": {\n    "width": 640,\n  }\n}', 'intro.json');
      expect.unreachable();
    } catch (e) {
      expect(isReelforgeError(e, 'TIMELINE_PARSE')).toBe(true);
      if (!isReelforgeError(e)) return;
      expect(e.status).toBe(400);
      expect(e.retryable).toBe(false);
      expect(e.message).toBe(
        'intro.json:4:3: invalid JSON: expected a property name in double quotes, got "}" (a trailing comma is not allowed)\n4 |   }\n      ^',
      );
      expect(e.meta.details).toMatchObject({ source: 'intro.json', line: 4, column: 3 });
    }
  });

  it('throws TIMELINE_INVALID for valid JSON that is not a valid timeline', () => {
    expect(() => parseTimelineJson('{"tracks":[]}', 'x.json')).toThrow(/x.json is not a valid timeline/);
    try {
      parseTimelineJson('{"tracks":[]}', 'x.json');
    } catch (e) {
      expect(isReelforgeError(e, 'TIMELINE_INVALID')).toBe(true);
    }
  });
});
