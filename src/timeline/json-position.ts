/** Where a JSON text first goes wrong, and why, in words independent of the JavaScript engine. */
export interface JsonSyntaxError {
  /** Offset in UTF-16 code units from the start of the text. */
  offset: number;
  /** 1-based line. */
  line: number;
  /** 1-based column, in characters from the start of the line. */
  column: number;
  reason: string;
}

type Mode = 'value' | 'value-or-close' | 'key' | 'key-or-close' | 'colon' | 'after-value';

const literals = ['true', 'false', 'null'] as const;

/** Line and column (both 1-based) of an offset in a text. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) [line, lineStart] = [line + 1, i + 1];
  }
  return { line, column: offset - lineStart + 1 };
}

function describe(text: string, i: number): string {
  if (i >= text.length) return 'the end of the text';
  const c = text[i] ?? '';
  const word = /^[A-Za-z_]+/.exec(text.slice(i, i + 20))?.[0];
  let shown = word ? JSON.stringify(word) : JSON.stringify(c);
  if (c === '/') shown += ' (JSON has no comments)';
  if (c === "'") shown += ' (strings need double quotes)';
  return shown;
}

/**
 * Finds the first syntax error in a JSON text (undefined if there is none). Iterative, so a
 * hostile, deeply nested text cannot overflow the stack.
 */
export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  const stack: string[] = [];
  // Sticky, so it carries lastIndex: one per call rather than shared by the module.
  const numberPattern = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  let mode: Mode = 'value';
  let i = 0;
  const fail = (offset: number, reason: string): JsonSyntaxError => ({
    offset,
    ...lineColumn(text, offset),
    reason,
  });
  const skip = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i] ?? '')) i++;
  };
  for (;;) {
    skip();
    const c = text[i];
    if (mode === 'after-value') {
      const top = stack[stack.length - 1];
      if (top === undefined)
        return i < text.length
          ? fail(i, `unexpected ${describe(text, i)} after the end of the JSON value`)
          : undefined;
      const close = top === '{' ? '}' : ']';
      if (c === ',') [mode, i] = [top === '{' ? 'key' : 'value', i + 1];
      else if (c === close) {
        stack.pop();
        i++;
      } else return fail(i, `expected ',' or '${close}', got ${describe(text, i)}`);
      continue;
    }
    if (mode === 'colon') {
      if (c !== ':') return fail(i, `expected ':' after the property name, got ${describe(text, i)}`);
      [mode, i] = ['value', i + 1];
      continue;
    }
    if ((mode === 'value-or-close' && c === ']') || (mode === 'key-or-close' && c === '}')) {
      stack.pop();
      [mode, i] = ['after-value', i + 1];
      continue;
    }
    if (mode === 'key' || mode === 'key-or-close') {
      if (c !== '"') {
        const trailing = mode === 'key' && c === '}' ? ' (a trailing comma is not allowed)' : '';
        return fail(i, `expected a property name in double quotes, got ${describe(text, i)}${trailing}`);
      }
      const end = scanString(text, i);
      if (typeof end !== 'number') return fail(end.offset, end.reason);
      [mode, i] = ['colon', end];
      continue;
    }
    // A value is expected.
    if (c === '{' || c === '[') {
      stack.push(c);
      [mode, i] = [c === '{' ? 'key-or-close' : 'value-or-close', i + 1];
      continue;
    }
    if (c === '"') {
      const end = scanString(text, i);
      if (typeof end !== 'number') return fail(end.offset, end.reason);
      [mode, i] = ['after-value', end];
      continue;
    }
    numberPattern.lastIndex = i;
    const number = numberPattern.exec(text);
    const literal = literals.find((l) => text.startsWith(l, i));
    if (number) [mode, i] = ['after-value', i + number[0].length];
    else if (literal) [mode, i] = ['after-value', i + literal.length];
    else {
      const trailing =
        mode === 'value' && c === ']' && stack.length > 0 ? ' (a trailing comma is not allowed)' : '';
      return fail(i, `expected a value, got ${describe(text, i)}${trailing}`);
    }
  }
}

/** The offset just past a string starting at `start`, or why the string is not valid. */
function scanString(text: string, start: number): number | { offset: number; reason: string } {
  let i = start + 1;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code === 34) return i + 1;
    if (code < 0x20)
      return { offset: i, reason: 'control character inside a string (write it as an escape like \\n)' };
    if (code === 92) {
      const next = text[i + 1] ?? '';
      if (next === 'u') {
        if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6)))
          return { offset: i, reason: 'invalid \\u escape' };
        i += 6;
        continue;
      }
      if (!'"\\/bfnrt'.includes(next) || next === '')
        return { offset: i, reason: `invalid escape \\${next}` };
      i += 2;
      continue;
    }
    i++;
  }
  return { offset: start, reason: 'unterminated string' };
}
