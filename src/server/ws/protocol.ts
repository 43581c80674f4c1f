import { z } from 'zod';
import { parseJsonMessage } from '../../socket/json-message.js';

/**
 * The WebSocket protocol at /ws. Client messages are JSON objects validated here; anything else gets
 * an `error` message back and the connection stays open.
 *
 * Topics: `job:<jobId>` (one job; its owner or admin), `project:<projectId>` (the project's changes
 * and its renders' job events; its owner), `jobs` (every job's events; admin), `upload:<uploadId>`
 * (one resumable upload's progress, preview URL and result; its owner).
 */
const id = z.string().max(100).optional().describe('echoed in the reply, to match replies to requests');
const topic = z
  .string()
  .max(160)
  .regex(/^(jobs|job:[A-Za-z0-9_.-]{1,128}|project:p_[0-9a-z]{16}|upload:u[0-9a-f]{24})$/, {
    message: 'expected "job:<id>", "project:<id>", "upload:<id>" or "jobs"',
  });

export const clientMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('auth'), token: z.string().max(200), id }).strict(),
  z.object({ type: z.literal('subscribe'), topic, id }).strict(),
  z.object({ type: z.literal('unsubscribe'), topic, id }).strict(),
  z.object({ type: z.literal('ping'), id }).strict(),
]);

export type ClientMessage = z.infer<typeof clientMessageSchema>;

/** What the server sends. `event` carries a job event (docs/jobs.md) or a project event. */
export type ServerMessage =
  | { type: 'hello'; authenticated: boolean; heartbeatMs: number; progressThrottleMs: number }
  | { type: 'authenticated'; id?: string; owner: string; scopes: readonly string[] }
  | { type: 'subscribed'; id?: string; topic: string; snapshot: unknown }
  | { type: 'unsubscribed'; id?: string; topic: string }
  | { type: 'event'; topic: string; event: unknown }
  | { type: 'pong'; id?: string }
  | { type: 'error'; id?: string; code: string; message: string; details?: unknown };

/** Close codes beyond the standard ones. */
export { CLOSE_AUTH_TIMEOUT, CLOSE_TOO_SLOW } from '../../socket/socket-client.js';

/** Parses one incoming frame: the message, or the problem with it (never throws). */
export function parseClientMessage(
  data: unknown,
  isBinary: boolean,
): { ok: true; message: ClientMessage } | { ok: false; message: string; details?: unknown; id?: string } {
  if (isBinary) return { ok: false, message: 'binary frames are not part of the protocol; send JSON text' };
  return parseJsonMessage(clientMessageSchema, String(data));
}
