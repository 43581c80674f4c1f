import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isBadInput, ReelforgeError, toReelforgeError } from './errors.js';

const root = join(import.meta.dirname, '..');

/** The codes of the ErrorCode union, read from the source so that the list cannot drift. */
function declaredCodes(): string[] {
  const src = readFileSync(join(root, 'src', 'errors.ts'), 'utf8');
  const union = src.slice(
    src.indexOf('export type ErrorCode'),
    src.indexOf(';', src.indexOf('export type ErrorCode')),
  );
  return [...union.matchAll(/'([A-Z0-9_]+)'/g)].map((m) => m[1]!);
}

describe('errors', () => {
  it('every error code is documented in docs/errors.md', () => {
    const doc = readFileSync(join(root, 'docs', 'errors.md'), 'utf8');
    const missing = declaredCodes().filter((c) => !doc.includes(`\`${c}\``));
    expect(missing).toEqual([]);
  });

  it('bad input is never retryable and maps to exit code 2', () => {
    const e = new ReelforgeError('TIMELINE_INVALID', 'x', { status: 422 });
    expect(isBadInput(e)).toBe(true);
    expect(e.retryable).toBe(false);
    expect(isBadInput(new ReelforgeError('FFMPEG_KILLED', 'x', { retryable: true }))).toBe(false);
  });

  it('wraps foreign errors, keeping the cause', () => {
    const cause = new Error('boom');
    const e = toReelforgeError(cause);
    expect(e.code).toBe('INTERNAL');
    expect(e.cause).toBe(cause);
    expect(e.toJSON()).toEqual({ code: 'INTERNAL', message: 'boom' });
  });
});
