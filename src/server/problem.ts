import { STATUS_CODES } from 'node:http';
import { type ErrorCode, isReelforgeError } from '../errors.js';

/** An error response body (RFC 9457 problem details) with Reelforge's code as an extension member. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  instance?: string;
  requestId?: string;
  details?: unknown;
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Where a problem happened, for the body and the log. */
export interface ProblemContext {
  instance?: string;
  requestId?: string;
  /** The route takes a timeline as its body: an oversized body is TIMELINE_TOO_LARGE. */
  timelineBody?: boolean;
  timelineBytes?: number;
  bodyBytes?: number;
}

export function problem(
  code: ErrorCode,
  status: number,
  detail: string,
  ctx: ProblemContext = {},
  extra: Record<string, unknown> = {},
): Problem {
  const body: Problem = {
    type: `urn:reelforge:error:${code}`,
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail,
    code,
    ...extra,
  };
  if (ctx.instance !== undefined) body.instance = ctx.instance;
  if (ctx.requestId !== undefined) body.requestId = ctx.requestId;
  return body;
}

interface FrameworkError {
  code?: string;
  statusCode?: number;
  message?: string;
  validation?: ReadonlyArray<{ instancePath?: string; message?: string; params?: Record<string, unknown> }>;
  validationContext?: string;
}

/** Fastify's and its plugins' error codes, mapped onto ours. */
const frameworkCodes: Record<string, { code: ErrorCode; status: number }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'REQUEST_TOO_LARGE', status: 413 },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'REQUEST_MEDIA_TYPE', status: 415 },
  FST_INVALID_MULTIPART_CONTENT_TYPE: { code: 'REQUEST_MEDIA_TYPE', status: 415 },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'REQUEST_INVALID', status: 400 },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'REQUEST_INVALID', status: 400 },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'REQUEST_INVALID', status: 400 },
  FST_REQ_FILE_TOO_LARGE: { code: 'UPLOAD_TOO_LARGE', status: 413 },
  FST_PARTS_LIMIT: { code: 'REQUEST_INVALID', status: 400 },
  FST_FILES_LIMIT: { code: 'REQUEST_INVALID', status: 400 },
  FST_FIELDS_LIMIT: { code: 'REQUEST_INVALID', status: 400 },
  FST_PROTO_VIOLATION: { code: 'REQUEST_INVALID', status: 400 },
  FST_NO_FORM_DATA: { code: 'REQUEST_INVALID', status: 400 },
};

function validationProblems(e: FrameworkError): Array<{ path: string; message: string }> {
  const where = e.validationContext ?? 'body';
  return (e.validation ?? []).map((v) => {
    const path = (v.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
    return { path: path ? `${where}.${path}` : where, message: v.message ?? 'invalid' };
  });
}

/**
 * Turns anything thrown while handling a request into a problem. Reelforge errors keep their code,
 * status and details; framework errors are mapped; anything else is INTERNAL without its message
 * (which may name files or internals), pointing to the server log by request id.
 */
export function toProblem(e: unknown, ctx: ProblemContext = {}): Problem {
  if (isReelforgeError(e)) {
    if (e.code === 'INTERNAL') return internal(ctx);
    const extra = e.meta.details === undefined ? {} : { details: e.meta.details };
    return problem(e.code, e.status, e.message, ctx, extra);
  }
  const fe = (e ?? {}) as FrameworkError;
  if (Array.isArray(fe.validation)) {
    const details = validationProblems(fe);
    const detail = `the request does not match the schema: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`;
    return problem('REQUEST_INVALID', 400, detail, ctx, { details });
  }
  const mapped = fe.code ? frameworkCodes[fe.code] : undefined;
  if (mapped) {
    if (mapped.code === 'REQUEST_TOO_LARGE' && ctx.timelineBody) {
      return problem(
        'TIMELINE_TOO_LARGE',
        413,
        `the timeline is larger than ${ctx.timelineBytes ?? 'the'} bytes accepted (server.limits.timelineBytes)`,
        ctx,
      );
    }
    if (mapped.code === 'REQUEST_TOO_LARGE') {
      return problem(
        'REQUEST_TOO_LARGE',
        413,
        `the request body is larger than ${ctx.bodyBytes ?? 'the'} bytes accepted (server.limits.bodyBytes)`,
        ctx,
      );
    }
    return problem(mapped.code, mapped.status, fe.message ?? 'invalid request', ctx);
  }
  if (
    e instanceof SyntaxError ||
    (fe.statusCode !== undefined && fe.statusCode >= 400 && fe.statusCode < 500)
  ) {
    const status = fe.statusCode ?? 400;
    return problem(
      status === 415 ? 'REQUEST_MEDIA_TYPE' : 'REQUEST_INVALID',
      status,
      fe.message ?? 'invalid request',
      ctx,
    );
  }
  return internal(ctx);
}

function internal(ctx: ProblemContext): Problem {
  const ref = ctx.requestId ? ` (request ${ctx.requestId})` : '';
  return problem('INTERNAL', 500, `internal error; the server log has the details${ref}`, ctx);
}
