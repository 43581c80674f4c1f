import { ReelforgeError } from '../errors.js';
import { DEFAULT_MESSAGE, issuesToProblems } from './issue-format.js';
import { findJsonSyntaxError, type JsonSyntaxError, lineColumn } from './json-position.js';
import { type TimelineProblem, timelineInvalid } from './problems.js';
import { type Timeline, timelineSchema } from './schema.js';
import { checkTimelineSemantics } from './semantic-checks.js';

/** The outcome of validating a timeline: the parsed timeline, or every problem found. */
export type TimelineValidation =
  | { ok: true; timeline: Timeline }
  | { ok: false; problems: TimelineProblem[] };

/** Options for parseTimeline: `source` names the document in messages (a file name, `request body`). */
export interface ParseTimelineOptions {
  source?: string;
}

/**
 * Validates a timeline against the schema, then (when the schema passes) against the rules that span
 * several fields. Reports every problem at once; never throws for bad input.
 */
export function validateTimeline(input: unknown): TimelineValidation {
  const parsed = timelineSchema.safeParse(input, { error: () => DEFAULT_MESSAGE });
  if (!parsed.success) {
    return { ok: false, problems: issuesToProblems(parsed.error.issues, timelineSchema, input) };
  }
  const problems = checkTimelineSemantics(parsed.data);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, timeline: parsed.data };
}

/** Validates a timeline and returns it with defaults applied; throws TIMELINE_INVALID listing every problem. */
export function parseTimeline(input: unknown, opts: ParseTimelineOptions = {}): Timeline {
  const result = validateTimeline(input);
  if (!result.ok) throw timelineInvalid(result.problems, opts.source);
  return result.timeline;
}

/**
 * Parses a timeline from JSON text: a syntax error becomes TIMELINE_PARSE with line and column,
 * anything else wrong TIMELINE_INVALID. A leading byte-order mark is ignored.
 */
export function parseTimelineJson(text: string, source = 'timeline'): Timeline {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (e) {
    const found: JsonSyntaxError = findJsonSyntaxError(body) ?? {
      offset: body.length,
      ...lineColumn(body, body.length),
      reason: e instanceof Error ? e.message : String(e),
    };
    throw timelineParseError(body, source, found, e);
  }
  return parseTimeline(json, { source });
}

/** TIMELINE_PARSE naming the place, with the offending line and a caret under the column. */
export function timelineParseError(
  text: string,
  source: string,
  at: JsonSyntaxError,
  cause?: unknown,
): ReelforgeError {
  const { line, column, offset, reason } = at;
  const message = `${source}:${line}:${column}: invalid JSON: ${reason}\n${excerpt(text, line, column)}`;
  return new ReelforgeError('TIMELINE_PARSE', message, {
    status: 400,
    retryable: false,
    details: { source, line, column, offset, reason },
    cause,
  });
}

/** The line at fault (at most ~80 characters of it around the column) with a caret under the column. */
function excerpt(text: string, line: number, column: number): string {
  const content = text.split('\n')[line - 1]?.replace(/\r$/, '') ?? '';
  const from = Math.max(0, column - 1 - 50);
  const shown = content.slice(from, from + 80).replace(/\t/g, ' ');
  const gutter = `${line} | `;
  return `${gutter}${shown}\n${' '.repeat(gutter.length + column - 1 - from)}^`;
}
