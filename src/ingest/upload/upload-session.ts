import { ReelforgeError } from '../../errors.js';
import { imageDimensions, isoIndexFirst } from './image-header.js';
import { contentProblem, SNIFF_BYTES, type Sniffed, sniffContent } from './sniff.js';

/** Where an upload is: bytes arriving, an early preview made, checks on completion, stored, or refused. */
export const uploadStages = [
  'uploading',
  'previewing',
  'analysing',
  'optimising',
  'complete',
  'failed',
] as const;
export type UploadStage = (typeof uploadStages)[number];

/** What progress events and status requests report about one upload. */
export interface UploadProgress {
  type: 'upload.progress';
  uploadId: string;
  stage: UploadStage;
  /** Bytes received so far and in all. */
  offset: number;
  size: number;
  percent: number;
  /** Recent arrival rate (bytes per second), 0 before it is known. */
  bytesPerSec: number;
  /** Seconds until the last byte at the recent rate; null when unknown. */
  etaSec: number | null;
  /** Where the early preview is served, once there is one. */
  previewUrl: string | null;
  /** The media library item, once the upload is complete. */
  assetId: string | null;
  /** Why the upload was refused, for `failed`. */
  error: { code: string; message: string } | null;
}

/** The first bytes kept in memory for content checks (an image header may follow a large EXIF block). */
export const HEAD_BYTES = 256 * 1024;

export function uploadRejected(message: string, status = 422): ReelforgeError {
  return new ReelforgeError('UPLOAD_REJECTED', message, { status, retryable: false });
}

export interface SessionInit {
  id: string;
  owner: string;
  size: number;
  declaredType: string | null;
  maxPixels: number;
  now?: () => number;
}

/**
 * One upload's live state: the head of the file for content checks, the arrival rate, the stage.
 * `accept` sees every chunk before it is stored and throws UPLOAD_REJECTED to refuse it.
 */
export class UploadSession {
  readonly id: string;
  readonly owner: string;
  readonly size: number;
  readonly declaredType: string | null;
  offset = 0;
  stage: UploadStage = 'uploading';
  sniffed: Sniffed | null = null;
  previewUrl: string | null = null;
  assetId: string | null = null;
  error: { code: string; message: string } | null = null;
  /** Bytes at which the last early preview was tried. */
  previewTriedAt = -1;
  previewRunning = false;
  /** An MP4 whose index comes after its media cannot give a poster frame before it is complete. */
  noEarlyPreview = false;
  private head: Buffer = Buffer.alloc(0);
  private dimensionsChecked = false;
  private readonly maxPixels: number;
  private readonly now: () => number;
  private rate = 0;
  private rateAt: number;
  private rateBytes = 0;

  constructor(init: SessionInit) {
    this.id = init.id;
    this.owner = init.owner;
    this.size = init.size;
    this.declaredType = init.declaredType;
    this.maxPixels = init.maxPixels;
    this.now = init.now ?? Date.now;
    this.rateAt = this.now();
  }

  /** Checks a chunk arriving at `offset` (content type from the first bytes, image size from the header). */
  accept(chunk: Buffer, offset: number): void {
    if (offset < HEAD_BYTES && this.head.length === offset) {
      this.head = Buffer.concat([this.head, chunk.subarray(0, HEAD_BYTES - offset)]);
    }
    this.offset = offset + chunk.length;
    this.measure(chunk.length);
    const complete = this.offset >= this.size;
    if (!this.sniffed && (this.head.length >= SNIFF_BYTES || complete)) {
      const sniffed = sniffContent(this.head);
      const problem = contentProblem(sniffed, this.declaredType, this.head);
      if (problem) throw uploadRejected(problem, 415);
      this.sniffed = sniffed;
    }
    if (this.sniffed && !this.dimensionsChecked) this.checkHeader(complete);
  }

  private checkHeader(complete: boolean): void {
    const s = this.sniffed!;
    if (s.family === 'image') {
      const dims = imageDimensions(s.mime, this.head);
      if (dims === 'more' && !complete && this.head.length < HEAD_BYTES) return;
      this.dimensionsChecked = true;
      if (dims === null || dims === 'more') return; // sharp checks it with the same limit on completion
      if (dims.width === 0 || dims.height === 0)
        throw uploadRejected(
          `the ${s.label.replace(/^an? /, '')} declares a size of ${dims.width}×${dims.height}`,
        );
      if (dims.width * dims.height > this.maxPixels) {
        throw uploadRejected(
          `the image declares ${dims.width}×${dims.height} pixels (${((dims.width * dims.height) / 1e6).toFixed(0)} megapixels), ` +
            `more than the ${(this.maxPixels / 1e6).toFixed(0)} megapixels allowed (ingest.maxPixels)`,
          413,
        );
      }
      return;
    }
    if (s.mime === 'video/mp4' || s.mime === 'video/quicktime' || s.mime === 'audio/mp4') {
      const first = isoIndexFirst(this.head);
      if (first === null && !complete && this.head.length < HEAD_BYTES) return;
      this.noEarlyPreview = first !== true;
    }
    this.dimensionsChecked = true;
  }

  /** An exponentially smoothed rate over intervals of at least 200 ms. */
  private measure(bytes: number): void {
    this.rateBytes += bytes;
    const now = this.now();
    const dt = now - this.rateAt;
    if (dt < 200) return;
    const instant = (this.rateBytes * 1000) / dt;
    this.rate = this.rate === 0 ? instant : 0.7 * this.rate + 0.3 * instant;
    this.rateAt = now;
    this.rateBytes = 0;
  }

  /** The head kept in memory is no longer needed once the checks are done. */
  get checksDone(): boolean {
    return this.sniffed !== null && this.dimensionsChecked;
  }

  releaseHead(): void {
    if (this.checksDone) this.head = Buffer.alloc(0);
  }

  snapshot(): UploadProgress {
    const remaining = this.size - this.offset;
    const etaSec =
      this.stage === 'uploading' || this.stage === 'previewing'
        ? this.rate > 0
          ? Math.round((remaining / this.rate) * 10) / 10
          : null
        : 0;
    return {
      type: 'upload.progress',
      uploadId: this.id,
      stage: this.stage,
      offset: this.offset,
      size: this.size,
      percent: this.size > 0 ? Math.round((this.offset / this.size) * 10_000) / 100 : 100,
      bytesPerSec: Math.round(this.rate),
      etaSec,
      previewUrl: this.previewUrl,
      assetId: this.assetId,
      error: this.error,
    };
  }
}
