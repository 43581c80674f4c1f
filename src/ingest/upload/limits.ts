import { ERRORS } from '@tus/server';
import { isReelforgeError } from '../../errors.js';
import type { Inspection } from '../../storage/media-inspect.js';
import { uploadRejected } from './upload-session.js';

/** Refuses (UPLOAD_REJECTED, 413) what sharp or ffprobe found to be over the pixel or duration limit. */
export function checkLimits(i: Inspection, limits: { maxPixels: number; maxDurationSec: number }): void {
  const { width, height, durationSec } = i.metadata;
  if (width !== null && height !== null && width * height > limits.maxPixels) {
    throw uploadRejected(
      `the ${i.kind} is ${width}×${height}, more than the ${limits.maxPixels} pixels allowed (ingest.maxPixels)`,
      413,
    );
  }
  if (durationSec !== null && durationSec > limits.maxDurationSec) {
    throw uploadRejected(
      `the ${i.kind} lasts ${durationSec.toFixed(1)} s, longer than the ${limits.maxDurationSec} s allowed (ingest.maxDurationSec)`,
      413,
    );
  }
}

/**
 * The tus response for an error: ours keep their status with a `CODE: message` text body; tus's own
 * size refusal is worded like ours; anything else unexpected is a 500 without details. Undefined leaves
 * tus's own response (its protocol errors: bad offset, missing headers …).
 */
export function tusErrorResponse(
  err: Error | { status_code: number; body: string },
  ctx: { maxBytes: number; declared: string | null },
): { status_code: number; body: string } | undefined {
  if (err === ERRORS.ERR_MAX_SIZE_EXCEEDED) {
    return {
      status_code: 413,
      body: `UPLOAD_TOO_LARGE: the upload declares ${ctx.declared ?? 'more than'} bytes, over the ${ctx.maxBytes} allowed (ingest.maxBytes)\n`,
    };
  }
  if (isReelforgeError(err)) return { status_code: err.status, body: `${err.code}: ${err.message}\n` };
  if (err instanceof Error) {
    return { status_code: 500, body: 'INTERNAL: internal error; the server log has the details\n' };
  }
  return undefined;
}
