import type { z } from 'zod';

/** One problem with a message: where (a dotted path, or `(message)`) and what. */
export interface MessageProblem {
  path: string;
  message: string;
}

export type JsonMessageResult<T> =
  | { ok: true; message: T }
  | { ok: false; message: string; details?: MessageProblem[]; id?: string };

/**
 * Validates one WebSocket text message against a protocol's schema: the message, or a sentence saying
 * what is wrong with it, the problems by path, and the request's `id` when it had one (so the error
 * reply can be matched to it). Never throws. Shared by the job-event hub and preview sessions.
 */
export function parseJsonMessage<S extends z.ZodType>(
  schema: S,
  text: string,
): JsonMessageResult<z.output<S>> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, message: 'the message is not JSON' };
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, message: parsed.data };
  const details = parsed.error.issues.map((i) => ({
    path: i.path.join('.') || '(message)',
    message: i.message,
  }));
  const echo =
    json && typeof json === 'object' && typeof (json as { id?: unknown }).id === 'string'
      ? (json as { id: string }).id.slice(0, 100)
      : undefined;
  return {
    ok: false,
    message: `the message does not match the protocol: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`,
    details,
    id: echo,
  };
}
