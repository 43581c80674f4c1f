import { ReelforgeError } from '../../errors.js';

/** Unknown, closed, or not visible to this principal: the same answer, so ids cannot be probed. */
export const sessionNotFound = (sessionId: string) =>
  new ReelforgeError(
    'PREVIEW_SESSION_NOT_FOUND',
    `preview session ${sessionId} not found: it ended (idle sessions are closed) or needs its join key; ` +
      'create a new one with session.create',
    { status: 404, retryable: false, details: { sessionId } },
  );

export const notJoined = (sessionId: string) =>
  new ReelforgeError(
    'PREVIEW_NOT_JOINED',
    `this connection has not joined session ${sessionId}; send session.join first`,
    { status: 409, retryable: false, details: { sessionId } },
  );

export const sessionLimit = (what: string, limit: number) =>
  new ReelforgeError('PREVIEW_SESSION_LIMIT', `at most ${limit} ${what}; leave or close some first`, {
    status: 429,
    retryable: true,
    details: { limit },
  });
