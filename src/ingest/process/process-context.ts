import { ReelforgeError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { Ffmpeg } from '../../media/index.js';

/** What each processor gets: the asset's content as a local file and a folder for its outputs. */
export interface ProcessContext {
  ff: Ffmpeg;
  /** A local file with the asset's bytes (read only). */
  input: string;
  /** The attempt's working folder; outputs are written here, then stored as blobs. */
  work: string;
  signal: AbortSignal;
  log: Logger;
}

/**
 * The asset could not be processed (corrupt or unsupported content): not retried, since another
 * attempt would read the same bytes.
 */
export function processingFailed(
  assetId: string,
  step: string,
  reason: string,
  cause?: unknown,
): ReelforgeError {
  return new ReelforgeError('ASSET_PROCESSING_FAILED', `asset ${assetId}: ${step} failed: ${reason}`, {
    status: 422,
    retryable: false,
    details: { assetId, step, reason },
    cause,
  });
}
