import { isIP } from 'node:net';
import { ReelforgeError } from '../errors.js';
import { LOCAL_OWNER, type Scope, scopes, type TokenStore } from '../storage/token-store.js';

/** Who is asking: the owner whose projects they see, and what they may do. */
export interface Principal {
  owner: string;
  scopes: readonly Scope[];
  /** The API token's id, or null on an open server without one. */
  tokenId: string | null;
}

/** `admin` implies every scope. */
export function hasScope(p: Principal, scope: Scope): boolean {
  return p.scopes.includes(scope) || p.scopes.includes('admin');
}

/** Addresses that only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (h.startsWith('::ffff:')) return isLoopbackHost(h.slice(7));
  return h === '::1';
}

/** The host part of a `Host` header or an `Origin` URL, without the port. */
export function hostnameOf(value: string): string {
  try {
    return new URL(value.includes('://') ? value : `http://${value}`).hostname;
  } catch {
    return '';
  }
}

export const authRequired = (why: string) =>
  new ReelforgeError('AUTH_REQUIRED', why, { status: 401, retryable: false });

export const authInvalid = () =>
  new ReelforgeError(
    'AUTH_INVALID',
    'the bearer token is malformed, unknown or revoked; create one with `reelforge token create`',
    { status: 401, retryable: false },
  );

export const forbidden = (scope: Scope, p: Principal) =>
  new ReelforgeError(
    'AUTH_FORBIDDEN',
    `this request needs the "${scope}" scope; the token has ${p.scopes.join(', ') || 'none'}`,
    { status: 403, retryable: false, details: { needed: scope, has: p.scopes } },
  );

/** Refuses to serve beyond this machine without tokens (SERVER_UNSAFE_BIND). */
export function assertSafeBind(host: string, tokens: TokenStore): void {
  if (isLoopbackHost(host) || tokens.countActive() > 0) return;
  throw new ReelforgeError(
    'SERVER_UNSAFE_BIND',
    `refusing to listen on ${host} without API tokens: anyone who can reach it could use the server.\n` +
      '  Create a token first (`reelforge token create --name me`) and send it as `Authorization: Bearer …`,\n' +
      '  or listen on 127.0.0.1 only.',
    { status: 500, retryable: false },
  );
}

/**
 * Decides who a request is. With tokens in the store every request needs one. Bound to loopback with
 * no tokens, the server is open: a request without a token acts as the local owner with every scope,
 * as long as it is addressed to localhost (so a web page cannot reach it by DNS rebinding) and does
 * not come from a foreign origin (so it cannot be driven by another site in the browser).
 */
export class AuthPolicy {
  private openCache: { value: boolean; at: number } | null = null;

  constructor(
    private readonly tokens: TokenStore,
    private readonly bindHost: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** Open mode: loopback and no active token. Re-read at most once a second (tokens may be created). */
  isOpen(): boolean {
    const now = this.now();
    if (this.openCache && now - this.openCache.at < 1_000) return this.openCache.value;
    const value = isLoopbackHost(this.bindHost) && this.tokens.countActive() === 0;
    this.openCache = { value, at: now };
    return value;
  }

  /** The principal of a bearer token; AUTH_INVALID when it does not verify. */
  fromToken(token: string): Principal {
    const record = this.tokens.verify(token);
    if (!record) throw authInvalid();
    return { owner: record.owner, scopes: record.scopes, tokenId: record.id };
  }

  /** The principal from an `Authorization` header, or null when there is none. */
  fromHeader(authorization: string | undefined): Principal | null {
    if (authorization === undefined || authorization === '') return null;
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!m) throw authInvalid();
    return this.fromToken(m[1]!);
  }

  /** The local owner on an open server, for a request addressed to localhost from no foreign page. */
  anonymous(headers: { host?: string; origin?: string }): Principal {
    if (!this.isOpen())
      throw authRequired('this server needs an API token: send `Authorization: Bearer rft_…`');
    if (!isLoopbackHost(hostnameOf(headers.host ?? ''))) {
      throw authRequired('without a token, this server only answers requests addressed to localhost');
    }
    if (headers.origin !== undefined && !isLoopbackHost(hostnameOf(headers.origin))) {
      throw authRequired(`requests from ${headers.origin} need an API token`);
    }
    return { owner: LOCAL_OWNER, scopes: [...scopes], tokenId: null };
  }
}
