import { isBadInput, isReelforgeError, ReelforgeError } from '../errors.js';
import type { JobError } from './job-queue.js';

/** Error factories for the job system. Messages say what was received and how to fix it. */

export function jobNotFound(id: string): ReelforgeError {
  return new ReelforgeError('JOB_NOT_FOUND', `job ${id} not found`, { status: 404, retryable: false });
}

/** JOB_TYPE_UNKNOWN, naming the types that are known. */
export function jobTypeUnknown(type: string, known: readonly string[]): ReelforgeError {
  const list = known.length > 0 ? known.join(', ') : '(no handlers registered)';
  return new ReelforgeError('JOB_TYPE_UNKNOWN', `unknown job type "${type}"; known types: ${list}`, {
    status: 400,
    retryable: false,
    details: { type, known },
  });
}

/** JOB_PAYLOAD_INVALID with every problem and its path; never retried. */
export function payloadInvalid(
  type: string,
  stage: 'enqueue' | 'pickup',
  problems: readonly string[],
  cause?: unknown,
): ReelforgeError {
  const when = stage === 'enqueue' ? 'rejected at enqueue' : 'no longer valid when picked up';
  return new ReelforgeError(
    'JOB_PAYLOAD_INVALID',
    `payload of a "${type}" job ${when}:\n  ${problems.join('\n  ')}`,
    { status: 400, retryable: false, details: problems, cause },
  );
}

/** JOB_PAYLOAD_INVALID for the rest of a job spec (priority, id, dependsOn, limits). */
export function specInvalid(problem: string): ReelforgeError {
  return new ReelforgeError('JOB_PAYLOAD_INVALID', `job spec: ${problem}`, { status: 400, retryable: false });
}

/** JOB_DEPENDENCY_UNKNOWN, naming the missing jobs. */
export function dependencyUnknown(ids: readonly string[]): ReelforgeError {
  return new ReelforgeError(
    'JOB_DEPENDENCY_UNKNOWN',
    `dependsOn names jobs that do not exist: ${ids.join(', ')}; enqueue them first`,
    { status: 400, retryable: false, details: { ids } },
  );
}

/** JOB_STATE_CONFLICT: the job is not in a state that allows this. */
export function stateConflict(id: string, message: string): ReelforgeError {
  return new ReelforgeError('JOB_STATE_CONFLICT', `job ${id}: ${message}`, { status: 409, retryable: false });
}

/** QUEUE_CLOSED: the queue was closed before the call. */
export function queueClosed(): ReelforgeError {
  return new ReelforgeError('QUEUE_CLOSED', 'the job queue has been closed', {
    status: 503,
    retryable: true,
  });
}

/** QUEUE_UNAVAILABLE: the backend cannot be reached (retryable). */
export function queueUnavailable(what: string, cause: unknown): ReelforgeError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new ReelforgeError('QUEUE_UNAVAILABLE', `${what}: ${reason}`, {
    status: 503,
    retryable: true,
    cause,
  });
}

/** The error a dependent records when a dependency it needs failed or was cancelled. */
export function dependencyFailedError(depId: string, depState: string, depMessage: string | null): JobError {
  const verb = depState === 'cancelled' ? 'was cancelled' : 'failed';
  return {
    code: 'JOB_DEPENDENCY_FAILED',
    message: `dependency ${depId} ${verb}${depMessage ? `: ${depMessage}` : ''}`,
    retryable: false,
    details: { dependency: depId },
  };
}

/** Recorded when a worker stopped renewing its lease (it probably died). */
export function leaseExpiredError(workerId: string | null, attempt: number): JobError {
  return {
    code: 'JOB_LEASE_EXPIRED',
    message: `worker ${workerId ?? '(unknown)'} stopped renewing its lease during attempt ${attempt} (did it crash?)`,
    retryable: true,
  };
}

/** The abort reason a handler's signal carries on timeout. */
export function timeoutError(timeoutMs: number): ReelforgeError {
  return new ReelforgeError('JOB_TIMEOUT', `the job ran longer than its timeout of ${timeoutMs} ms`, {
    retryable: true,
  });
}

/** The abort reason a handler's signal carries on cancel. */
export function cancelledError(reason: string): ReelforgeError {
  return new ReelforgeError('JOB_CANCELLED', `cancelled: ${reason}`, { retryable: false });
}

/** The abort reason when another worker took the job over. */
export function leaseLostError(): ReelforgeError {
  return new ReelforgeError(
    'JOB_LEASE_LOST',
    'this worker lost the lease on the job; another worker owns it now',
    {
      retryable: true,
    },
  );
}

/** The abort reason when the worker shuts down mid-job. */
export function interruptedError(workerId: string): ReelforgeError {
  return new ReelforgeError(
    'JOB_INTERRUPTED',
    `worker ${workerId} shut down while the job ran; it will run again`,
    {
      retryable: true,
    },
  );
}

/**
 * Whether an attempt that threw this may be tried again. Bad input never is, nor any ReelforgeError
 * explicitly marked `retryable: false`; anything else (including plain errors) is.
 */
export function isRetryable(e: unknown): boolean {
  if (isBadInput(e)) return false;
  if (isReelforgeError(e) && e.meta.retryable === false) return false;
  return true;
}

/** What gets stored for a failed attempt. */
export function toJobError(e: unknown): JobError {
  if (isReelforgeError(e)) {
    const out: JobError = { code: e.code, message: e.message, retryable: isRetryable(e) };
    if (e.meta.details !== undefined) out.details = jsonSafe(e.meta.details);
    return out;
  }
  const message = e instanceof Error ? e.message : String(e);
  return { code: 'JOB_HANDLER_FAILED', message, retryable: true };
}

function jsonSafe(value: unknown): unknown {
  try {
    return JSON.parse(JSON.stringify(value)) as unknown;
  } catch {
    return String(value);
  }
}
