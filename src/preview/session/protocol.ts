import { z } from 'zod';
import { parseJsonMessage } from '../../socket/json-message.js';
import { QUALITIES } from '../engine/index.js';

/**
 * The live-preview protocol at /preview (docs/preview-protocol.md). Client messages are JSON objects
 * validated here; anything else gets an `error` reply and the connection (and its sessions) go on.
 * Frames travel as binary messages (frame-message.ts) or, on request, as base64 inside JSON.
 */
const id = z.string().max(100).optional().describe('echoed in the reply, to match replies to requests');
const sessionId = z.string().regex(/^ps_[0-9a-z]{16}$/, { message: 'expected a session id "ps_…"' });
const projectId = z.string().regex(/^p_[0-9a-z]{16}$/, { message: 'expected a project id "p_…"' });
const requestId = z.string().min(1).max(100);
const format = z.enum(['jpeg', 'webp', 'png']);
/** Seconds on the timeline; a day is far beyond any timeline but keeps arithmetic finite. */
const time = z.number().min(0).max(86_400);

/** One change: a JSON path into the timeline and its new value (`null` removes an optional field). */
export const changeSchema = z
  .object({
    path: z.string().min(1).max(200),
    value: z
      .unknown()
      .refine((v) => v !== undefined, { message: 'expected a value (null removes the field)' }),
  })
  .strict();
export type Change = { path: string; value: unknown };

export const clientMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('auth'), token: z.string().max(200), id }).strict(),
  z.object({ type: z.literal('ping'), t: z.number().optional(), id }).strict(),
  z.object({ type: z.literal('stats'), id }).strict(),
  z
    .object({ type: z.literal('session.create'), projectId, version: z.number().int().min(1).optional(), id })
    .strict(),
  z
    .object({ type: z.literal('session.join'), sessionId, joinKey: z.string().max(100).optional(), id })
    .strict(),
  z.object({ type: z.literal('session.leave'), sessionId, id }).strict(),
  z
    .object({
      type: z.literal('params.update'),
      sessionId,
      changes: z.array(changeSchema).min(1).max(100),
      /** The session version the client's view is based on: fields changed since by others are reported. */
      baseVersion: z.number().int().min(0).optional(),
      /** Also store the result as a new project version. */
      save: z.boolean().optional(),
      message: z.string().max(500).optional(),
      id,
    })
    .strict(),
  z
    .object({
      type: z.literal('session.save'),
      sessionId,
      message: z.string().max(500).optional(),
      /** Save on top of the project's current version even when it moved on since the session began. */
      overwrite: z.boolean().optional(),
      id,
    })
    .strict(),
  z
    .object({
      type: z.literal('frame.request'),
      sessionId,
      time,
      quality: z.enum(QUALITIES),
      requestId,
      format: format.optional(),
      encoding: z.enum(['binary', 'base64']).optional(),
      id,
    })
    .strict(),
  z
    .object({
      type: z.literal('frames.strip'),
      sessionId,
      count: z.number().int().min(1).max(60),
      width: z.number().int().min(16).max(640),
      format: format.optional(),
      id,
    })
    .strict(),
]);

export type ClientMessage = z.infer<typeof clientMessageSchema>;
export type ClientMessageOf<T extends ClientMessage['type']> = Extract<ClientMessage, { type: T }>;

/** Who made a change: the member (a connection in the session) and the owner of its token. */
export interface MemberRef {
  memberId: string;
  owner: string;
}

/** What the server sends as JSON. Binary messages carry frames (frame-message.ts). */
export type ServerMessage =
  | { type: 'hello'; protocol: 1; authenticated: boolean; heartbeatMs: number; maxMessageBytes: number }
  | { type: 'authenticated'; id?: string; owner: string; scopes: readonly string[] }
  | { type: 'pong'; id?: string; t?: number; serverTime: number }
  | {
      type: 'stats';
      id?: string;
      frames: unknown;
      sessions: { open: number; members: number };
      connections: number;
    }
  | SessionWelcome
  | { type: 'session.left'; id?: string; sessionId: string }
  | { type: 'session.member'; sessionId: string; event: 'joined' | 'left'; member: MemberRef }
  | { type: 'session.closed'; sessionId: string; reason: 'idle' | 'server shutting down' }
  | {
      type: 'params.updated';
      id?: string;
      sessionId: string;
      version: number;
      by: MemberRef;
      changes: Change[];
      /** Only in the reply to the writer: fields written by others after its baseVersion, now overwritten. */
      overwritten?: Array<{ path: string; version: number; by: MemberRef }>;
      /** Cached frames the change made stale (dropped from the frame cache). */
      invalidated: number;
    }
  | {
      type: 'session.saved';
      id?: string;
      sessionId: string;
      version: number;
      projectVersion: number;
      by: MemberRef;
    }
  | FrameJson
  | { type: 'frame.dropped'; sessionId: string; requestId: string; reason: 'superseded' | 'left' }
  | {
      type: 'frames.strip';
      id?: string;
      sessionId: string;
      version: number;
      frames: Array<{ time: number; width: number; height: number; format: string; data: string }>;
    }
  | {
      type: 'error';
      id?: string;
      code: string;
      message: string;
      details?: unknown;
      sessionId?: string;
      requestId?: string;
    };

/** The reply to session.create and session.join: the session's state and who is in it. */
export interface SessionWelcome {
  type: 'session.created' | 'session.joined';
  id?: string;
  sessionId: string;
  /** Only for the creator: hand it to people who should join without owning the project. */
  joinKey?: string;
  projectId: string;
  projectVersion: number;
  version: number;
  you: MemberRef;
  members: MemberRef[];
  /** The working timeline as stored (media as `asset:<id>`). */
  timeline: unknown;
}

/** A frame as JSON (`encoding: "base64"`): the binary header's fields plus the image as base64. */
export interface FrameHeader {
  type: 'frame';
  sessionId: string;
  requestId: string;
  time: number;
  quality: string;
  width: number;
  height: number;
  format: string;
  cacheHit: boolean;
  renderMs: number;
  /** The session version the frame shows. */
  version: number;
  /** Set when the frame is a wireframe stand-in (rendering failed or the breaker is open), and why. */
  degraded?: { reason: string };
}
export type FrameJson = FrameHeader & { id?: string; data: string };

/** Close codes beyond the standard ones (the same as /ws). */
export { CLOSE_AUTH_TIMEOUT, CLOSE_TOO_SLOW } from '../../socket/socket-client.js';

export type ParsedMessage =
  | { ok: true; message: ClientMessage }
  | {
      ok: false;
      code: 'WS_MESSAGE_INVALID' | 'PREVIEW_MESSAGE_TOO_LARGE';
      message: string;
      details?: unknown;
      id?: string;
    };

function byteLength(data: unknown): number {
  if (Buffer.isBuffer(data)) return data.length;
  if (Array.isArray(data)) return data.reduce((n: number, b: Buffer) => n + b.length, 0);
  if (data instanceof ArrayBuffer) return data.byteLength;
  return Buffer.byteLength(String(data));
}

/** Parses one incoming frame: the message, or the problem with it (never throws). */
export function parseClientMessage(data: unknown, isBinary: boolean, maxBytes: number): ParsedMessage {
  const bytes = byteLength(data);
  if (bytes > maxBytes) {
    return {
      ok: false,
      code: 'PREVIEW_MESSAGE_TOO_LARGE',
      message: `the message has ${bytes} bytes; at most ${maxBytes} are accepted — send fewer changes at once`,
    };
  }
  if (isBinary) {
    return {
      ok: false,
      code: 'WS_MESSAGE_INVALID',
      message: 'binary messages are only sent by the server; send JSON text',
    };
  }
  const parsed = parseJsonMessage(
    clientMessageSchema,
    Buffer.isBuffer(data) ? data.toString('utf8') : String(data),
  );
  return parsed.ok ? parsed : { ...parsed, code: 'WS_MESSAGE_INVALID' };
}
