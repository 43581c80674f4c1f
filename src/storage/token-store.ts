import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ReelforgeError } from '../errors.js';
import type { SqliteDatabase } from '../jobs/index.js';
import { newId } from './ids.js';
import { tokenNotFound } from './storage-errors.js';

/** What a token may do. `admin` implies every other scope. */
export const scopes = ['read', 'write', 'render', 'admin'] as const;
export type Scope = (typeof scopes)[number];

/** Owner names: the unit of isolation between users of one server. */
export const OWNER_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;
/** The owner of everything done without a token on an open (loopback, tokenless) server. */
export const LOCAL_OWNER = 'local';

export interface TokenRecord {
  id: string;
  name: string;
  owner: string;
  scopes: Scope[];
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

export interface CreatedToken {
  /** The secret bearer token. Shown once; only its hash is stored. */
  token: string;
  record: TokenRecord;
}

interface TokenRow {
  id: string;
  name: string;
  owner: string;
  scopes: string;
  hash: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

// rft_<16 id characters>_<43 base64url characters = 32 random bytes>
const TOKEN = /^rft_([0-9a-z]{16})_([A-Za-z0-9_-]{43})$/;
const TOUCH_EVERY_MS = 60_000;

const digest = (secret: string) => createHash('sha256').update(secret).digest();

function usage(message: string): ReelforgeError {
  return new ReelforgeError('USAGE', message, { status: 400, retryable: false });
}

/** Parses a comma-separated scope list (`read,write`); USAGE naming the bad one. */
export function parseScopes(text: string): Scope[] {
  const list = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = list.filter((s) => !(scopes as readonly string[]).includes(s));
  if (bad.length > 0 || list.length === 0) {
    throw usage(`scopes: expected some of ${scopes.join(', ')}, got "${text}"`);
  }
  return [...new Set(list as Scope[])];
}

/**
 * API tokens in `server_tokens`: random secrets of which only a SHA-256 is stored (they carry 256 bits
 * of entropy, so a slow password hash adds nothing), compared in constant time.
 */
export class TokenStore {
  private readonly byId;
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly db: SqliteDatabase,
    private readonly now: () => number = Date.now,
  ) {
    this.byId = db.prepare('SELECT * FROM server_tokens WHERE id = ?');
  }

  create(input: { name: string; owner: string; scopes: readonly Scope[] }): CreatedToken {
    if (!OWNER_PATTERN.test(input.owner)) {
      throw usage(
        `owner: expected lower-case letters, digits, ".", "_" or "-" (up to 64), got "${input.owner}"`,
      );
    }
    const name = input.name.trim();
    if (name.length === 0 || name.length > 100) throw usage('name: expected 1–100 characters');
    if (input.scopes.length === 0) throw usage('scopes: give at least one of read, write, render, admin');
    const id = newId('token');
    const secret = randomBytes(32).toString('base64url');
    const createdAt = this.now();
    this.db
      .prepare(
        'INSERT INTO server_tokens (id, name, owner, scopes, hash, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(id, name, input.owner, input.scopes.join(','), digest(secret).toString('hex'), createdAt);
    return {
      token: `rft_${id.slice(2)}_${secret}`,
      record: {
        id,
        name,
        owner: input.owner,
        scopes: [...input.scopes],
        createdAt,
        lastUsedAt: null,
        revokedAt: null,
      },
    };
  }

  /** The token's record when it is well-formed, known, matches and is not revoked; otherwise null. */
  verify(token: string): TokenRecord | null {
    const m = TOKEN.exec(token);
    if (!m) return null;
    const row = this.byId.get(`t_${m[1]}`) as TokenRow | undefined;
    if (!row || row.revoked_at !== null) return null;
    const expected = Buffer.from(row.hash, 'hex');
    const actual = digest(m[2]!);
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return null;
    this.touch(row.id);
    return toRecord(row);
  }

  list(): TokenRecord[] {
    const rows = this.db.prepare('SELECT * FROM server_tokens ORDER BY created_at, id').all() as TokenRow[];
    return rows.map(toRecord);
  }

  revoke(id: string): TokenRecord {
    const at = this.now();
    this.db.prepare('UPDATE server_tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?').run(at, id);
    const row = this.byId.get(id) as TokenRow | undefined;
    if (!row) throw tokenNotFound(id);
    return toRecord(row);
  }

  /** Tokens that still work. */
  countActive(): number {
    return this.db
      .prepare('SELECT COUNT(*) FROM server_tokens WHERE revoked_at IS NULL')
      .pluck()
      .get() as number;
  }

  /** Records when a token was last used, at most once a minute per token (a write per request is waste). */
  private touch(id: string): void {
    const now = this.now();
    if (now - (this.touched.get(id) ?? 0) < TOUCH_EVERY_MS) return;
    this.touched.set(id, now);
    this.db.prepare('UPDATE server_tokens SET last_used_at = ? WHERE id = ?').run(now, id);
  }
}

function toRecord(row: TokenRow): TokenRecord {
  return {
    id: row.id,
    name: row.name,
    owner: row.owner,
    scopes: row.scopes.split(',').filter(Boolean) as Scope[],
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}
