import { describe, expect, it } from 'vitest';
import { contentDisposition, parseRange } from './range.js';

describe('parseRange', () => {
  it('reads the three single-range forms', () => {
    expect(parseRange('bytes=0-99', 1000)).toEqual({ kind: 'partial', start: 0, end: 99 });
    expect(parseRange('bytes=900-', 1000)).toEqual({ kind: 'partial', start: 900, end: 999 });
    expect(parseRange('bytes=-100', 1000)).toEqual({ kind: 'partial', start: 900, end: 999 });
    expect(parseRange('bytes=-5000', 1000)).toEqual({ kind: 'partial', start: 0, end: 999 });
  });

  it('clamps an end past the content', () => {
    expect(parseRange('bytes=10-5000', 1000)).toEqual({ kind: 'partial', start: 10, end: 999 });
  });

  it('refuses ranges that start past the end', () => {
    expect(parseRange('bytes=1000-', 1000)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=-0', 1000)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=0-0', 0)).toEqual({ kind: 'unsatisfiable' });
  });

  it('ignores what it does not understand and sends everything', () => {
    for (const h of [
      undefined,
      'items=0-1',
      'bytes=0-1,5-9',
      'bytes=5-1',
      'bytes=-',
      'bytes=a-b',
      'bytes=99999999999999999999-',
    ]) {
      expect(parseRange(h, 1000), String(h)).toEqual({ kind: 'full' });
    }
  });
});

describe('contentDisposition', () => {
  it('keeps quotes and non-ASCII from breaking the header', () => {
    expect(contentDisposition('a "b".mp4')).toBe(
      `attachment; filename="a _b_.mp4"; filename*=UTF-8''a%20%22b%22.mp4`,
    );
    expect(contentDisposition('été.png')).toContain("filename*=UTF-8''%C3%A9t%C3%A9.png");
  });
});
