import type { z } from 'zod';
import type { PathSegment } from './problems.js';

/**
 * Walks a zod 4 schema along a JSON path, the way the validator needs it to name the allowed keys of an
 * object or the options of a union. Reads `_zod.def`, zod 4's documented schema introspection.
 */
interface Node {
  _zod: { def: Def };
}
interface Def {
  type: string;
  innerType?: Node;
  in?: Node;
  getter?: () => Node;
  shape?: Record<string, Node>;
  element?: Node;
  items?: Node[];
  rest?: Node | null;
  valueType?: Node;
  options?: Node[];
  discriminator?: string;
  values?: unknown[];
  entries?: Record<string, unknown>;
}

const wrappers: ReadonlySet<string> = new Set([
  'optional',
  'nullable',
  'default',
  'prefault',
  'nonoptional',
  'readonly',
  'catch',
]);

function nodeOf(schema: z.ZodType): Node {
  return schema as unknown as Node;
}

/** Strips optional/default/prefault/… wrappers, lazies and pipes (taking the input side). */
function unwrap(node: Node): Node {
  let current = node;
  for (let i = 0; i < 64; i++) {
    const def = current._zod.def;
    if (wrappers.has(def.type) && def.innerType) current = def.innerType;
    else if (def.type === 'lazy' && def.getter) current = def.getter();
    else if (def.type === 'pipe' && def.in) current = def.in;
    else break;
  }
  return current;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The literal values an object option accepts for the discriminator key. */
function literalValues(node: Node | undefined): unknown[] {
  if (!node) return [];
  const def = unwrap(node)._zod.def;
  if (def.type === 'literal') return def.values ?? [];
  if (def.type === 'enum') return Object.values(def.entries ?? {});
  return [];
}

/**
 * The union option that fits `value`: by the discriminator when there is one; otherwise by JSON type,
 * then by how many of the value's keys an object option knows.
 */
function pickOption(def: Def, value: unknown): Node | undefined {
  const options = (def.options ?? []).map(unwrap);
  if (def.discriminator !== undefined) {
    if (!isRecord(value)) return undefined;
    const tag = value[def.discriminator];
    return options.find((o) => literalValues(o._zod.def.shape?.[def.discriminator ?? '']).includes(tag));
  }
  if (Array.isArray(value)) return options.find((o) => ['array', 'tuple'].includes(o._zod.def.type));
  if (!isRecord(value)) return undefined;
  let best: Node | undefined;
  let bestOverlap = -1;
  for (const option of options) {
    const shape = option._zod.def.shape;
    if (!shape) continue;
    const overlap = Object.keys(value).filter((k) => Object.hasOwn(shape, k)).length;
    if (overlap > bestOverlap) [best, bestOverlap] = [option, overlap];
  }
  return best;
}

/** Resolves unions at one level so the result is a concrete schema for `value`. */
function concrete(node: Node, value: unknown): Node | undefined {
  const n = unwrap(node);
  return n._zod.def.type === 'union' ? pickOption(n._zod.def, value) : n;
}

function childOf(node: Node, key: PathSegment): Node | undefined {
  const def = node._zod.def;
  if (def.type === 'object')
    return typeof key === 'string' && def.shape && Object.hasOwn(def.shape, key) ? def.shape[key] : undefined;
  if (def.type === 'array') return def.element;
  if (def.type === 'tuple')
    return typeof key === 'number' ? (def.items?.[key] ?? def.rest ?? undefined) : undefined;
  if (def.type === 'record') return def.valueType;
  return undefined;
}

/** The schema that applies at `path` inside `input`, or undefined when the path leaves the schema. */
export function schemaAt(
  root: z.ZodType,
  path: readonly PathSegment[],
  input: unknown,
): z.ZodType | undefined {
  let node: Node | undefined = nodeOf(root);
  let value = input;
  for (const key of path) {
    const here: Node | undefined = node ? concrete(node, value) : undefined;
    node = here ? childOf(here, key) : undefined;
    if (!node) return undefined;
    value =
      isRecord(value) || Array.isArray(value) ? (value as Record<PathSegment, unknown>)[key] : undefined;
  }
  return node as unknown as z.ZodType | undefined;
}

/** The schema at `path` with unions resolved by the value found there (the option that value fits). */
export function concreteSchemaAt(
  root: z.ZodType,
  path: readonly PathSegment[],
  input: unknown,
): z.ZodType | undefined {
  const node = schemaAt(root, path, input);
  const here = node ? concrete(nodeOf(node), valueAtPath(input, path)) : undefined;
  return here as unknown as z.ZodType | undefined;
}

/** The keys the object schema at `path` allows, choosing among union options by the value found there. */
export function allowedKeysAt(root: z.ZodType, path: readonly PathSegment[], input: unknown): string[] {
  const node = schemaAt(root, path, input);
  const value = valueAtPath(input, path);
  const def = node ? unwrap(nodeOf(node))._zod.def : undefined;
  if (def?.type === 'union' && def.discriminator === undefined && isRecord(value)) {
    // When no key of the value belongs to any option, every option's keys are candidates.
    const shapes = (def.options ?? []).map((o) => Object.keys(unwrap(o)._zod.def.shape ?? {}));
    if (!shapes.some((keys) => keys.some((k) => Object.hasOwn(value, k)))) return [...new Set(shapes.flat())];
  }
  const here = node ? concrete(nodeOf(node), value) : undefined;
  return Object.keys(here?._zod.def.shape ?? {});
}

/** Follows `path` into a plain JSON value. */
export function valueAtPath(input: unknown, path: readonly PathSegment[]): unknown {
  let value = input;
  for (const key of path) {
    if (!isRecord(value) && !Array.isArray(value)) return undefined;
    value = (value as Record<PathSegment, unknown>)[key];
  }
  return value;
}

/** A short description of what a schema accepts, for messages about unions: `one of a, b`, `a number`. */
export function describeSchema(schema: z.ZodType): string {
  const def = unwrap(nodeOf(schema))._zod.def;
  switch (def.type) {
    case 'enum':
      return `one of ${Object.values(def.entries ?? {}).join(', ')}`;
    case 'literal':
      return (def.values ?? []).map((v) => JSON.stringify(v)).join(' or ');
    case 'number':
      return 'a number';
    case 'string':
      return 'a string';
    case 'boolean':
      return 'true or false';
    case 'array': {
      const element = def.element ? unwrap(def.element)._zod.def : undefined;
      return element?.shape ? `a list of { ${Object.keys(element.shape).join(', ')} }` : 'a list';
    }
    case 'object':
      return `an object { ${Object.keys(def.shape ?? {}).join(', ')} }`;
    case 'union':
      return (def.options ?? []).map((o) => describeSchema(o as unknown as z.ZodType)).join(' or ');
    default:
      return `a ${def.type}`;
  }
}

/** The option schemas of the union at `path`, if the schema there is a union. */
export function unionOptionsAt(root: z.ZodType, path: readonly PathSegment[], input: unknown): z.ZodType[] {
  const node = schemaAt(root, path, input);
  const def = node ? unwrap(nodeOf(node))._zod.def : undefined;
  return def?.type === 'union' ? ((def.options ?? []) as unknown as z.ZodType[]) : [];
}
