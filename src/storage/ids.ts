import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'; // Crockford base32, lower case

/** Kinds of record ids the server hands out, each with its prefix. */
export const idPrefixes = { project: 'p', asset: 'a', token: 't', render: 'r' } as const;
export type IdKind = keyof typeof idPrefixes;

const ID_BODY = 16;

/** A random id such as `p_7d3kq0m2x9v4b8nh` (80 bits). Never derived from user input. */
export function newId(kind: IdKind): string {
  const bytes = randomBytes(ID_BODY);
  let body = '';
  for (const b of bytes) body += ALPHABET[b & 31];
  return `${idPrefixes[kind]}_${body}`;
}

/** The exact shape of an id of this kind; route parameters are checked against it. */
export function idPattern(kind: IdKind): RegExp {
  return new RegExp(`^${idPrefixes[kind]}_[${ALPHABET}]{${ID_BODY}}$`);
}

export function isId(kind: IdKind, value: string): boolean {
  return idPattern(kind).test(value);
}
