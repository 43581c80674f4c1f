import type { z } from 'zod';
import { didYouMeanSuffix } from './did-you-mean.js';
import {
  describeTyped,
  describeValue,
  formatPath,
  type PathSegment,
  type TimelineProblem,
} from './problems.js';
import {
  allowedKeysAt,
  concreteSchemaAt,
  describeSchema,
  schemaAt,
  unionOptionsAt,
  valueAtPath,
} from './schema-walk.js';

type Issue = z.core.$ZodIssue;

/**
 * The message zod uses when no schema set its own. Passing it as the per-parse error map makes a
 * schema author's message (which always wins over this map) recognisable: anything else is custom.
 */
export const DEFAULT_MESSAGE = '\u0000default';

/** Keys whose numbers are seconds, so messages can say so. */
const secondsKeys: ReadonlySet<string> = new Set([
  't',
  'start',
  'duration',
  'trimStart',
  'trimEnd',
  'fadeIn',
  'fadeOut',
  'attack',
  'release',
]);

const typeNames: Readonly<Record<string, string>> = {
  number: 'a number',
  int: 'an integer',
  string: 'a string',
  boolean: 'true or false',
  object: 'an object',
  array: 'an array',
  tuple: 'an array',
  record: 'an object',
  null: 'null',
};

interface Context {
  root: z.ZodType;
  input: unknown;
}

/** Turns zod issues into problems worded for people, one problem per issue (or per unknown key). */
export function issuesToProblems(
  issues: readonly Issue[],
  root: z.ZodType,
  input: unknown,
): TimelineProblem[] {
  const ctx: Context = { root, input };
  return issues.flatMap((issue) => convert(issue, [], ctx));
}

function problem(
  path: readonly PathSegment[],
  expected: string,
  received: unknown,
  extra = '',
  describe: (value: unknown) => string = describeValue,
): TimelineProblem {
  if (received === undefined) {
    return { path: formatPath(path), message: `missing: expected ${expected}`, expected };
  }
  const got = describe(received);
  return {
    path: formatPath(path),
    message: `expected ${expected}, got ${got}${extra}`,
    expected,
    received: got,
  };
}

function convert(issue: Issue, prefix: readonly PathSegment[], ctx: Context): TimelineProblem[] {
  const path = [...prefix, ...(issue.path as PathSegment[])];
  const received = valueAtPath(ctx.input, path);
  const custom = issue.message !== DEFAULT_MESSAGE ? issue.message : undefined;
  const last = path[path.length - 1];
  const isSeconds = typeof last === 'string' && secondsKeys.has(last);
  switch (issue.code) {
    case 'invalid_type': {
      const at = schemaAt(ctx.root, path, ctx.input);
      let expected = typeNames[issue.expected] ?? (at ? describeSchema(at) : `a ${issue.expected}`);
      if (isSeconds && expected === 'a number') expected = 'a number of seconds';
      return [problem(path, expected, received, '', describeTyped)];
    }
    case 'too_small':
    case 'too_big':
      return [problem(path, custom ?? rangeText(issue, isSeconds), received, countSuffix(received))];
    case 'invalid_value': {
      const values = issue.values.map(String);
      const expected = values.length === 1 ? JSON.stringify(issue.values[0]) : `one of ${values.join(', ')}`;
      return [problem(path, expected, received, didYouMeanSuffix(received, values))];
    }
    case 'invalid_union':
      return unionProblems(issue, path, received, ctx);
    case 'unrecognized_keys': {
      const allowed = allowedKeysAt(ctx.root, path, ctx.input);
      const misread = issue.keys.some((k) => allowed.includes(k)) ? reparse(path, ctx) : [];
      if (misread.length > 0) return misread;
      return issue.keys.map((key) => {
        const hint = didYouMeanSuffix(key, allowed);
        const tail = hint !== '' || allowed.length === 0 ? hint : ` (allowed: ${allowed.join(', ')})`;
        return { path: formatPath([...path, key]), message: `unknown key${tail}`, received: key };
      });
    }
    case 'not_multiple_of':
      return [problem(path, custom?.replace(/^expected /, '') ?? `a multiple of ${issue.divisor}`, received)];
    case 'invalid_format':
      if (custom) return [problem(path, custom.replace(/^expected /, ''), received)];
      return [problem(path, `a string in ${issue.format} format`, received)];
    case 'custom':
      return [{ path: formatPath(path), message: custom ?? 'invalid value' }];
    default:
      return [{ path: formatPath(path), message: custom ?? `invalid value ${describeValue(received)}` }];
  }
}

/**
 * Zod matched a union option that merely lacks some keys of the value while the option that has them
 * failed harder (a camera with `keyframes` missing a `t`). Report against the option the keys point to.
 */
function reparse(path: PathSegment[], ctx: Context): TimelineProblem[] {
  const option = concreteSchemaAt(ctx.root, path, ctx.input);
  const result = option?.safeParse(valueAtPath(ctx.input, path), { error: () => DEFAULT_MESSAGE });
  if (!result || result.success) return [];
  return result.error.issues.flatMap((i) => convert(i, path, ctx));
}

/** `a positive number of seconds`, `a number ≥ 1`, `at most 100 items`, … */
function rangeText(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig, isSeconds: boolean): string {
  const small = issue.code === 'too_small';
  const bound = Number(small ? issue.minimum : issue.maximum);
  const inclusive = issue.inclusive !== false;
  if (issue.origin === 'array' || issue.origin === 'set') {
    return `${small ? 'at least' : 'at most'} ${bound} item${bound === 1 ? '' : 's'}`;
  }
  if (issue.origin === 'string') {
    if (small && bound === 1) return 'a non-empty string';
    return `${small ? 'at least' : 'at most'} ${bound} character${bound === 1 ? '' : 's'}`;
  }
  const noun = isSeconds ? 'number of seconds' : 'number';
  if (small && bound === 0) return inclusive ? `a non-negative ${noun}` : `a positive ${noun}`;
  const op = small ? (inclusive ? '≥' : '>') : inclusive ? '≤' : '<';
  return isSeconds ? `a number of seconds ${op} ${bound}` : `a number ${op} ${bound}`;
}

/** For arrays and strings the message says how many items were found, not just "an array". */
function countSuffix(received: unknown): string {
  if (Array.isArray(received) && received.length > 0)
    return ` with ${received.length} item${received.length === 1 ? '' : 's'}`;
  if (typeof received === 'string' && received.length > 60) return ` (${received.length} characters)`;
  return '';
}

/** Whether a union branch failed on the value's type itself rather than on something inside it. */
function rejectedAtRoot(branch: readonly Issue[]): boolean {
  return branch.some((i) => i.path.length === 0 && (i.code === 'invalid_type' || i.code === 'invalid_value'));
}

function unionProblems(
  issue: z.core.$ZodIssueInvalidUnion,
  path: PathSegment[],
  received: unknown,
  ctx: Context,
): TimelineProblem[] {
  if (issue.discriminator !== undefined && 'options' in issue && issue.options) {
    // A discriminated union whose tag matched nothing: `type` is wrong or missing.
    const options = issue.options.map(String);
    const expected = `${issue.discriminator} to be one of ${options.join(', ')}`;
    return [problem(path, expected, received, didYouMeanSuffix(received, options))];
  }
  const branches = issue.errors;
  const inner = branches.filter((b) => b.length > 0 && !rejectedAtRoot(b));
  if (inner.length > 0) {
    // The value has the right shape for some option: report what is wrong inside the closest one.
    const closest = inner.reduce((a, b) => (b.length < a.length ? b : a));
    return closest.flatMap((i) => convert(i, path, ctx));
  }
  const options = unionOptionsAt(ctx.root, path, ctx.input);
  const descriptions = options.length > 0 ? options.map(describeSchema) : branches.map(branchText);
  const enumValues = branches.flatMap((b) => b.flatMap((i) => (i.code === 'invalid_value' ? i.values : [])));
  const expected = descriptions.join(' or ');
  const hint = didYouMeanSuffix(received, enumValues.map(String));
  const got = describeTyped(received);
  return [
    { path: formatPath(path), message: `expected ${expected}, got ${got}${hint}`, expected, received: got },
  ];
}

function branchText(branch: readonly Issue[]): string {
  const first = branch[0];
  if (first?.code === 'invalid_type') return typeNames[first.expected] ?? `a ${first.expected}`;
  if (first?.code === 'invalid_value') return `one of ${first.values.join(', ')}`;
  return 'something else';
}
