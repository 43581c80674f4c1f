import { ERRORS } from '@tus/server';
import { describe, expect, it } from 'vitest';
import { ReelforgeError } from '../../errors.js';
import type { Inspection } from '../../storage/media-inspect.js';
import { checkLimits, tusErrorResponse } from './limits.js';

const video = (width: number, height: number, durationSec: number): Inspection => ({
  kind: 'video',
  mime: 'video/mp4',
  metadata: { format: 'mp4', width, height, durationSec, hasAlpha: false, video: null, audio: null },
});

describe('checkLimits', () => {
  const limits = { maxPixels: 1_000_000, maxDurationSec: 60 };
  it('passes what is within the limits and names the limit that is not', () => {
    expect(() => checkLimits(video(1000, 1000, 60), limits)).not.toThrow();
    expect(() => checkLimits(video(1001, 1000, 1), limits)).toThrow(
      /1001×1000, more than the 1000000 pixels allowed \(ingest.maxPixels\)/,
    );
    expect(() => checkLimits(video(10, 10, 61), limits)).toThrow(
      /lasts 61.0 s, longer than the 60 s allowed/,
    );
  });
});

describe('tusErrorResponse', () => {
  const ctx = { maxBytes: 100, declared: '500' };
  it('keeps our codes and statuses, rewords tus size refusals, hides unexpected errors', () => {
    const ours = new ReelforgeError('UPLOAD_REJECTED', 'nope', { status: 415 });
    expect(tusErrorResponse(ours, ctx)).toEqual({ status_code: 415, body: 'UPLOAD_REJECTED: nope\n' });
    expect(tusErrorResponse(ERRORS.ERR_MAX_SIZE_EXCEEDED, ctx)).toEqual({
      status_code: 413,
      body: 'UPLOAD_TOO_LARGE: the upload declares 500 bytes, over the 100 allowed (ingest.maxBytes)\n',
    });
    expect(tusErrorResponse(new Error('secret path /x'), ctx)?.body).not.toContain('secret');
    expect(tusErrorResponse(ERRORS.INVALID_OFFSET, ctx)).toBeUndefined();
  });
});
