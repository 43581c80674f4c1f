/**
 * One error class for the whole project. Decisions are made on `code`, never on message text.
 * Every code is listed in docs/errors.md.
 */
export type ErrorCode =
  // configuration
  | 'CONFIG_INVALID'
  // timeline
  | 'TIMELINE_INVALID'
  | 'TIMELINE_PARSE'
  | 'TIMELINE_MEDIA_MISSING'
  | 'TIMELINE_MEDIA_UNDECODABLE'
  | 'TIMELINE_DURATION_UNRESOLVED'
  // media
  | 'FFMPEG_NOT_FOUND'
  | 'FFMPEG_TOO_OLD'
  | 'FFMPEG_EXITED'
  | 'FFMPEG_KILLED'
  | 'FFPROBE_FAILED'
  | 'MEDIA_PROTOCOL_REFUSED'
  | 'MEDIA_UNREADABLE'
  // engine
  | 'RENDER_CANCELLED'
  | 'RENDER_FAILED'
  | 'RENDER_OUTPUT_EXISTS'
  | 'RENDER_RANGE_INVALID'
  | 'LUT_INVALID'
  | 'RENDER_CHUNKS_UNSUPPORTED'
  | 'ENCODER_UNAVAILABLE'
  // preview frames
  | 'PREVIEW_FRAME_INVALID'
  | 'PREVIEW_TIMEOUT'
  | 'PREVIEW_UNAVAILABLE'
  | 'PREVIEW_CLOSED'
  // preview sessions
  | 'PREVIEW_SESSION_NOT_FOUND'
  | 'PREVIEW_NOT_JOINED'
  | 'PREVIEW_SESSION_LIMIT'
  | 'PREVIEW_PATH_INVALID'
  | 'PREVIEW_MESSAGE_TOO_LARGE'
  // jobs
  | 'JOB_NOT_FOUND'
  | 'JOB_PAYLOAD_INVALID'
  | 'JOB_TYPE_UNKNOWN'
  | 'JOB_CANCELLED'
  | 'JOB_TIMEOUT'
  | 'JOB_DEPENDENCY_FAILED'
  | 'JOB_DEPENDENCY_UNKNOWN'
  | 'JOB_STATE_CONFLICT'
  | 'JOB_HANDLER_FAILED'
  | 'JOB_LEASE_EXPIRED'
  | 'JOB_LEASE_LOST'
  | 'JOB_INTERRUPTED'
  | 'QUEUE_UNAVAILABLE'
  | 'QUEUE_CLOSED'
  // server: requests, auth, limits
  | 'REQUEST_INVALID'
  | 'REQUEST_TOO_LARGE'
  | 'REQUEST_MEDIA_TYPE'
  | 'ROUTE_NOT_FOUND'
  | 'RANGE_NOT_SATISFIABLE'
  | 'RATE_LIMITED'
  | 'AUTH_REQUIRED'
  | 'AUTH_INVALID'
  | 'AUTH_FORBIDDEN'
  | 'TOKEN_NOT_FOUND'
  | 'SERVER_UNSAFE_BIND'
  | 'SERVER_NOT_READY'
  | 'WS_MESSAGE_INVALID'
  // server: resources and storage
  | 'PROJECT_NOT_FOUND'
  | 'PROJECT_VERSION_NOT_FOUND'
  | 'PROJECT_VERSION_CONFLICT'
  | 'TIMELINE_TOO_LARGE'
  | 'ASSET_NOT_FOUND'
  | 'ASSET_IN_USE'
  | 'ASSET_REF_INVALID'
  | 'UPLOAD_TOO_LARGE'
  | 'STORAGE_FULL'
  | 'BLOB_NOT_FOUND'
  | 'ASSET_PROCESSING_FAILED'
  | 'DERIVATIVE_NOT_FOUND'
  | 'RENDER_NOT_FOUND'
  | 'RENDER_NOT_READY'
  // ingest: resumable uploads
  | 'UPLOAD_NOT_FOUND'
  | 'UPLOAD_REJECTED'
  | 'UPLOAD_QUOTA_EXCEEDED'
  | 'UPLOAD_PREVIEW_NOT_READY'
  // cli / generic
  | 'USAGE'
  | 'INTERNAL';

export interface ErrorMeta {
  /** HTTP status when this error reaches the API. */
  status?: number;
  /** Whether a job that failed with this error may be tried again. Bad input never is. */
  retryable?: boolean;
  /** Structured details (for example the list of timeline problems). */
  details?: unknown;
  cause?: unknown;
}

export class ReelforgeError extends Error {
  override readonly name = 'ReelforgeError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly meta: ErrorMeta = {},
  ) {
    super(message, meta.cause === undefined ? undefined : { cause: meta.cause });
  }

  get retryable(): boolean {
    return this.meta.retryable ?? false;
  }

  get status(): number {
    return this.meta.status ?? 500;
  }

  toJSON(): { code: ErrorCode; message: string; details?: unknown } {
    return this.meta.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.meta.details };
  }
}

export function isReelforgeError(e: unknown, code?: ErrorCode): e is ReelforgeError {
  return e instanceof ReelforgeError && (code === undefined || e.code === code);
}

/** Wraps anything thrown into a ReelforgeError, keeping the original as the cause. */
export function toReelforgeError(e: unknown, code: ErrorCode = 'INTERNAL'): ReelforgeError {
  if (e instanceof ReelforgeError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new ReelforgeError(code, message, { cause: e, retryable: true });
}

/** Codes that mean "the input is wrong": a CLI exits 2 for them and a job never retries them. */
export function isBadInput(e: unknown): boolean {
  if (!(e instanceof ReelforgeError)) return false;
  return (
    e.code.startsWith('TIMELINE_') ||
    e.code === 'USAGE' ||
    e.code === 'CONFIG_INVALID' ||
    e.code === 'MEDIA_PROTOCOL_REFUSED' ||
    e.code === 'MEDIA_UNREADABLE' ||
    e.code === 'RENDER_RANGE_INVALID' ||
    e.code === 'LUT_INVALID' ||
    e.code === 'RENDER_OUTPUT_EXISTS' ||
    e.code === 'RENDER_CHUNKS_UNSUPPORTED' ||
    e.code === 'ENCODER_UNAVAILABLE' ||
    e.code === 'JOB_PAYLOAD_INVALID' ||
    e.code === 'JOB_TYPE_UNKNOWN'
  );
}
