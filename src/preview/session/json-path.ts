import { ReelforgeError } from '../../errors.js';

/** One step of a JSON path: an object key or an array index. */
export type PathSegment = string | number;

const MAX_DEPTH = 12;
const FORBIDDEN = new Set(['__proto__', 'prototype', 'constructor']);

export const pathInvalid = (path: string, why: string) =>
  new ReelforgeError('PREVIEW_PATH_INVALID', `${path}: ${why}`, {
    status: 422,
    retryable: false,
    details: { path },
  });

/**
 * Parses `params.cameraSpeed` or `tracks[0].clips[2].opacity` into segments. Keys are identifiers
 * (what the timeline format uses); the keys that reach an object's prototype are refused.
 */
export function parsePath(path: string): PathSegment[] {
  const segments: PathSegment[] = [];
  let i = 0;
  const ident = /[A-Za-z_][A-Za-z0-9_]*/y;
  const index = /\[(0|[1-9][0-9]{0,5})\]/y;
  while (i < path.length) {
    if (segments.length > 0) {
      index.lastIndex = i;
      const m = index.exec(path);
      if (m) {
        segments.push(Number(m[1]));
        i = index.lastIndex;
        continue;
      }
      if (path[i] !== '.') throw pathInvalid(path, `expected "." or "[index]" at character ${i + 1}`);
      i++;
    }
    ident.lastIndex = i;
    const m = ident.exec(path);
    if (!m) throw pathInvalid(path, `expected a field name at character ${i + 1}`);
    if (FORBIDDEN.has(m[0])) throw pathInvalid(path, `"${m[0]}" is not a timeline field`);
    segments.push(m[0]);
    i = ident.lastIndex;
  }
  if (segments.length === 0) throw pathInvalid(path, 'the path is empty');
  if (segments.length > MAX_DEPTH) throw pathInvalid(path, `paths are at most ${MAX_DEPTH} steps deep`);
  return segments;
}

/** The canonical spelling of segments: `tracks[0].clips[2].opacity`. */
export function formatSegments(segments: readonly PathSegment[]): string {
  let out = '';
  for (const s of segments) out += typeof s === 'number' ? `[${s}]` : out === '' ? s : `.${s}`;
  return out;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Sets (or, for `null`, removes) the value at `segments` inside `root`, in place. Missing objects on
 * the way are created (`params.depthOfField.strength` when depthOfField is absent); arrays may be
 * written at an existing index or one past the end. Whether the result is a valid timeline is the
 * schema's business afterwards.
 */
export function setAtPath(
  root: Record<string, unknown>,
  segments: readonly PathSegment[],
  value: unknown,
): void {
  const path = formatSegments(segments);
  let node: unknown = root;
  for (let k = 0; k < segments.length - 1; k++) {
    const seg = segments[k]!;
    const nextIsIndex = typeof segments[k + 1] === 'number';
    const here = formatSegments(segments.slice(0, k + 1));
    if (typeof seg === 'number') {
      if (!Array.isArray(node))
        throw pathInvalid(path, `${formatSegments(segments.slice(0, k))} is not a list`);
      if (seg >= node.length)
        throw pathInvalid(path, `${here} does not exist (the list has ${node.length} items)`);
      node = node[seg];
    } else {
      if (!isRecord(node))
        throw pathInvalid(path, `${formatSegments(segments.slice(0, k)) || '(root)'} is not an object`);
      if (node[seg] === undefined || node[seg] === null) {
        if (nextIsIndex) throw pathInvalid(path, `${here} does not exist`);
        node[seg] = {};
      }
      node = node[seg];
    }
  }
  const last = segments[segments.length - 1]!;
  const parent = formatSegments(segments.slice(0, -1)) || '(root)';
  if (typeof last === 'number') {
    if (!Array.isArray(node)) throw pathInvalid(path, `${parent} is not a list`);
    if (last > node.length)
      throw pathInvalid(path, `${parent} has ${node.length} items; index ${last} is beyond its end`);
    if (value === null) {
      if (last < node.length) node.splice(last, 1);
    } else node[last] = structuredClone(value);
    return;
  }
  if (!isRecord(node)) throw pathInvalid(path, `${parent} is not an object`);
  if (value === null) delete node[last];
  else node[last] = structuredClone(value);
}

/** Whether one path is the other or lies inside it (`params` and `params.cameraSpeed` overlap). */
export function pathsOverlap(a: string, b: string): boolean {
  if (a === b) return true;
  const inside = (inner: string, outer: string) =>
    inner.startsWith(outer) && (inner[outer.length] === '.' || inner[outer.length] === '[');
  return inside(a, b) || inside(b, a);
}
