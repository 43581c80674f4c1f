import { ReelforgeError } from '../errors.js';

/** One thing wrong with a timeline, located by a JSON path such as `tracks[0].clips[2].duration`. */
export interface TimelineProblem {
  /** Where: `tracks[0].clips[2].duration`; an empty string means the document itself. */
  path: string;
  /** What is wrong, in words: `expected a positive number of seconds, got -1`. */
  message: string;
  /** What would have been accepted, when that can be said briefly. */
  expected?: string;
  /** What was found, as shown in the message. */
  received?: string;
}

/** A path segment: an object key or an array index. */
export type PathSegment = string | number;

const identifier = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Formats path segments the way a reader writes them: `tracks[0].clips[2].duration`. */
export function formatPath(segments: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of segments) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (typeof seg === 'string' && identifier.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(String(seg))}]`;
  }
  return out;
}

/** Appends segments to an already formatted path. */
export function joinPath(base: string, ...segments: PathSegment[]): string {
  const tail = formatPath(segments);
  if (base === '') return tail;
  return tail.startsWith('[') ? base + tail : `${base}.${tail}`;
}

/** One problem as one line: `path: message`. */
export function formatProblem(p: TimelineProblem): string {
  return `${p.path === '' ? '(root)' : p.path}: ${p.message}`;
}

/** Describes a received value briefly: `-1`, `"abc"`, `an array`, `nothing`. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty array' : 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string')
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  return String(value);
}

/** Like describeValue, prefixed with the JSON type for strings and booleans: `string "abc"`, `boolean true`. */
export function describeTyped(value: unknown): string {
  if (typeof value === 'string' || typeof value === 'boolean') {
    return `${typeof value} ${describeValue(value)}`;
  }
  return describeValue(value);
}

/** Seconds as written in messages: `2 s`, `0.25 s`, without floating-point noise. */
export function secondsText(s: number): string {
  return `${Number(s.toFixed(6))} s`;
}

/** The error thrown for an invalid timeline, listing every problem, one per line. */
export function timelineInvalid(problems: readonly TimelineProblem[], source?: string): ReelforgeError {
  const what = source ? `${source} is not a valid timeline` : 'the timeline is not valid';
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  return new ReelforgeError(
    'TIMELINE_INVALID',
    `${what} (${count}):\n${problems.map(formatProblem).join('\n')}`,
    {
      status: 422,
      retryable: false,
      details: problems,
    },
  );
}
