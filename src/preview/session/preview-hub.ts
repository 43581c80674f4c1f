import type { WebSocket } from 'ws';
import { isReelforgeError, ReelforgeError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { FrameService } from '../engine/index.js';
import { notJoined, sessionLimit, sessionNotFound } from './errors.js';
import { createMember, type Member, type Session, sendStrip } from './member.js';
import { hasScope, PreviewConnection, type PreviewPrincipal } from './preview-connection.js';
import type { SessionStorage } from './preview-session.js';
import {
  type ClientMessage,
  type ClientMessageOf,
  parseClientMessage,
  type SessionWelcome,
} from './protocol.js';
import { saveSession, updateSession } from './session-edits.js';
import { SessionRegistry } from './session-registry.js';

export interface PreviewHubOptions {
  /** WebSocket ping interval; a client that missed the previous pong is dropped. */
  heartbeatMs: number;
  /** A connection that has not authenticated by then is closed. */
  authTimeoutMs: number;
  /** A session with no message for this long is closed. */
  idleTimeoutMs: number;
  maxSessions: number;
  /** Sessions one connection may be a member of. */
  sessionsPerConnection: number;
  membersPerSession: number;
  maxMessageBytes: number;
  /** Finished frames wait while the socket has more than this many unsent bytes. */
  holdAboveBytes: number;
  /** Neighbouring frames are prefetched after this long without a request; 0 turns prefetch off. */
  prefetchDelayMs: number;
}

export interface PreviewHubDeps {
  storage: SessionStorage;
  /** The frame service, created on first use (it needs ffmpeg). */
  frames: () => Promise<FrameService>;
  auth: {
    /** The principal of an upgrade request (bearer header, or the local user of an open server); null = send `auth`. */
    onUpgrade(headers: { authorization?: string; host?: string; origin?: string }): PreviewPrincipal | null;
    fromToken(token: string): PreviewPrincipal;
  };
  /** One budget per connection. */
  limiter: { take(key: string): { ok: true } | { ok: false; retryAfterMs: number } };
  log: Logger;
  now?: () => number;
}

/** Codes whose `details` are about the client's own input, safe to send back. */
const SHARED_DETAILS = /^(TIMELINE_INVALID|ASSET_REF_INVALID|PREVIEW_.*|PROJECT_.*|AUTH_FORBIDDEN)$/;

const forbidden = (scope: string, p: PreviewPrincipal) =>
  new ReelforgeError(
    'AUTH_FORBIDDEN',
    `this needs the "${scope}" scope; the token has ${p.scopes.join(', ') || 'none'}`,
    {
      status: 403,
      retryable: false,
    },
  );

/**
 * The /preview WebSocket endpoint: authenticates connections like /ws, keeps live sessions (members,
 * shared parameter updates, saves), schedules frames per member (latest wins, back-pressure, idle
 * prefetch), and keeps connections and sessions tidy (heartbeats, idle timeout).
 */
export class PreviewHub {
  private readonly connections = new Set<PreviewConnection>();
  private readonly registry: SessionRegistry<Member>;
  private readonly timers: Array<ReturnType<typeof setInterval>> = [];
  private next = 0;
  private readonly now: () => number;
  private closing: Promise<void> | null = null;

  constructor(
    private readonly deps: PreviewHubDeps,
    private readonly options: PreviewHubOptions,
  ) {
    this.now = deps.now ?? Date.now;
    this.registry = new SessionRegistry(deps.storage, options, this.now);
    this.timers.push(setInterval(() => this.beat(), options.heartbeatMs));
    this.timers.push(
      setInterval(() => this.sweep(), Math.max(20, Math.min(5_000, options.idleTimeoutMs / 4))),
    );
    for (const t of this.timers) t.unref();
  }

  get size(): number {
    return this.connections.size;
  }

  accept(socket: WebSocket, headers: { authorization?: string; host?: string; origin?: string }): void {
    const conn = new PreviewConnection(`m${++this.next}`, socket);
    this.connections.add(conn);
    conn.listen(
      (data, isBinary) => this.onMessage(conn, data, isBinary),
      () => this.drop(conn),
    );
    try {
      conn.principal = this.deps.auth.onUpgrade(headers);
    } catch (e) {
      if (headers.authorization) this.sendError(conn, undefined, e);
    }
    conn.send({
      type: 'hello',
      protocol: 1,
      authenticated: conn.principal !== null,
      heartbeatMs: this.options.heartbeatMs,
      maxMessageBytes: this.options.maxMessageBytes,
    });
    conn.awaitAuth(this.options.authTimeoutMs);
  }

  /** Ends every session and connection (1001, going away). Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const t of this.timers) clearInterval(t);
      for (const session of this.registry.all()) this.endSession(session, 'server shutting down');
      for (const conn of this.connections) conn.close(1001, 'server shutting down');
      this.connections.clear();
    })();
    return this.closing;
  }

  private onMessage(conn: PreviewConnection, data: unknown, isBinary: boolean): void {
    conn.alive = true;
    const parsed = parseClientMessage(data, isBinary, this.options.maxMessageBytes);
    if (!parsed.ok) {
      conn.send({
        type: 'error',
        id: parsed.id,
        code: parsed.code,
        message: parsed.message,
        details: parsed.details,
      });
      return;
    }
    const m = parsed.message;
    const decision = this.deps.limiter.take(conn.id);
    if (!decision.ok) {
      conn.send({
        type: 'error',
        id: m.id,
        code: 'RATE_LIMITED',
        message: `too many messages on this connection; try again in ${Math.ceil(decision.retryAfterMs / 1000)} s`,
        ...('requestId' in m ? { requestId: m.requestId } : {}),
      });
      return;
    }
    this.handle(conn, m).catch((e: unknown) =>
      this.sendError(conn, m.id, e, {
        ...('sessionId' in m ? { sessionId: m.sessionId } : {}),
        ...('requestId' in m ? { requestId: m.requestId } : {}),
      }),
    );
  }

  private async handle(conn: PreviewConnection, m: ClientMessage): Promise<void> {
    if (m.type === 'ping') return conn.send({ type: 'pong', id: m.id, t: m.t, serverTime: Date.now() });
    if (m.type === 'auth') {
      const principal = this.deps.auth.fromToken(m.token);
      conn.principal = principal;
      if (conn.authTimer) clearTimeout(conn.authTimer);
      conn.authTimer = null;
      return conn.send({ type: 'authenticated', id: m.id, owner: principal.owner, scopes: principal.scopes });
    }
    const p = conn.principal;
    if (!p)
      throw new ReelforgeError('AUTH_REQUIRED', 'send {"type":"auth","token":"rft_…"} first', {
        status: 401,
      });
    if (!hasScope(p, 'read')) throw forbidden('read', p);
    switch (m.type) {
      case 'stats':
        return conn.send({
          type: 'stats',
          id: m.id,
          frames: (await this.deps.frames()).stats(),
          sessions: { open: this.registry.size, members: this.registry.members },
          connections: this.connections.size,
        });
      case 'session.create':
        return this.create(conn, p, m);
      case 'session.join':
        return this.join(conn, p, m);
      case 'session.leave': {
        const session = this.registry.get(m.sessionId);
        this.memberOf(session, conn);
        this.leave(session, conn);
        return conn.send({ type: 'session.left', id: m.id, sessionId: m.sessionId });
      }
      case 'params.update':
        return this.update(conn, p, m);
      case 'session.save': {
        if (!hasScope(p, 'write')) throw forbidden('write', p);
        const session = this.registry.get(m.sessionId);
        const member = this.memberOf(session, conn);
        return session.serial(async () =>
          saveSession(session, member, m.id, m.message, m.overwrite === true),
        );
      }
      case 'frame.request':
        return this.frame(conn, m);
      case 'frames.strip':
        return this.strip(conn, m);
    }
  }

  private async create(
    conn: PreviewConnection,
    p: PreviewPrincipal,
    m: ClientMessageOf<'session.create'>,
  ): Promise<void> {
    this.assertRoom(conn);
    await this.deps.frames(); // fails here, clearly, when ffmpeg is missing
    const session = await this.registry.open(p.owner, m.projectId, m.version);
    if (!conn.isOpen) {
      this.registry.remove(session.id);
      return;
    }
    const member = this.addMember(session, conn, p);
    conn.send({ ...this.welcome(session, member, 'session.created', m.id), joinKey: session.joinKey });
  }

  private join(conn: PreviewConnection, p: PreviewPrincipal, m: ClientMessageOf<'session.join'>): void {
    const session = this.registry.get(m.sessionId);
    const allowed = p.owner === session.owner || hasScope(p, 'admin') || session.acceptsKey(m.joinKey);
    if (!allowed) throw sessionNotFound(m.sessionId);
    let member = session.members.get(conn.id);
    if (!member) {
      this.assertRoom(conn);
      if (session.members.size >= this.options.membersPerSession)
        throw sessionLimit('members in one session', this.options.membersPerSession);
      member = this.addMember(session, conn, p);
    }
    conn.send(this.welcome(session, member, 'session.joined', m.id));
  }

  private welcome(
    session: Session,
    member: Member,
    type: SessionWelcome['type'],
    id?: string,
  ): SessionWelcome {
    return {
      type,
      id,
      sessionId: session.id,
      projectId: session.projectId,
      projectVersion: session.projectVersion,
      version: session.version,
      you: member.ref,
      members: [...session.members.values()].map((x) => x.ref),
      timeline: session.timeline.stored,
    };
  }

  private assertRoom(conn: PreviewConnection): void {
    if (conn.sessions.size >= this.options.sessionsPerConnection)
      throw sessionLimit('sessions per connection', this.options.sessionsPerConnection);
  }

  private addMember(session: Session, conn: PreviewConnection, principal: PreviewPrincipal): Member {
    const member = createMember(session, conn, principal, {
      frames: this.deps.frames,
      holdAboveBytes: this.options.holdAboveBytes,
      prefetchDelayMs: this.options.prefetchDelayMs,
      failed: (c, sessionId, requestId, e) => this.sendError(c, undefined, e, { sessionId, requestId }),
      now: this.now,
      log: this.deps.log,
    });
    for (const other of session.members.values())
      other.conn.send({ type: 'session.member', sessionId: session.id, event: 'joined', member: member.ref });
    session.members.set(conn.id, member);
    conn.sessions.add(session.id);
    return member;
  }

  private memberOf(session: Session, conn: PreviewConnection): Member {
    const member = session.members.get(conn.id);
    if (!member) throw notJoined(session.id);
    return member;
  }

  private async update(
    conn: PreviewConnection,
    p: PreviewPrincipal,
    m: ClientMessageOf<'params.update'>,
  ): Promise<void> {
    if (!hasScope(p, 'write')) throw forbidden('write', p);
    const session = this.registry.get(m.sessionId);
    await updateSession(session, this.memberOf(session, conn), m, this.deps.frames);
  }

  private frame(conn: PreviewConnection, m: ClientMessageOf<'frame.request'>): void {
    const session = this.registry.get(m.sessionId);
    const member = this.memberOf(session, conn);
    const duration = session.duration();
    if (duration !== null && m.time > duration) {
      throw new ReelforgeError(
        'PREVIEW_FRAME_INVALID',
        `time: ${m.time} s is past the end of the timeline (${duration} s)`,
        { status: 422, retryable: false, details: { time: m.time, duration } },
      );
    }
    member.scheduler.request({
      requestId: m.requestId,
      time: m.time,
      quality: m.quality,
      format: m.format ?? 'jpeg',
      encoding: m.encoding ?? 'binary',
      version: session.version,
      timeline: session.timeline.rendered,
    });
  }

  private async strip(conn: PreviewConnection, m: ClientMessageOf<'frames.strip'>): Promise<void> {
    const session = this.registry.get(m.sessionId);
    await sendStrip(session, this.memberOf(session, conn), m, this.deps.frames, this.now);
  }

  private leave(session: Session, conn: PreviewConnection): void {
    const member = session.members.get(conn.id);
    if (!member) return;
    member.scheduler.close('left');
    member.strip?.abort();
    session.members.delete(conn.id);
    conn.sessions.delete(session.id);
    for (const other of session.members.values())
      other.conn.send({ type: 'session.member', sessionId: session.id, event: 'left', member: member.ref });
  }

  private endSession(session: Session, reason: 'idle' | 'server shutting down'): void {
    this.registry.remove(session.id);
    for (const member of [...session.members.values()]) {
      member.scheduler.close('left');
      member.strip?.abort();
      member.conn.sessions.delete(session.id);
      member.conn.send({ type: 'session.closed', sessionId: session.id, reason });
    }
    session.members.clear();
  }

  private sweep(): void {
    const busy = (s: Session) => [...s.members.values()].some((m) => m.scheduler.busy || m.strip !== null);
    for (const session of this.registry.sweep(busy)) this.endSession(session, 'idle');
  }

  private drop(conn: PreviewConnection): void {
    if (!this.connections.delete(conn)) return;
    conn.dispose();
    for (const id of [...conn.sessions]) {
      const session = this.registry.peek(id);
      if (session) this.leave(session, conn);
    }
  }

  private beat(): void {
    for (const conn of this.connections) if (!conn.heartbeat()) this.drop(conn);
  }

  private sendError(
    conn: PreviewConnection,
    id: string | undefined,
    e: unknown,
    where: { sessionId?: string; requestId?: string } = {},
  ): void {
    if (isReelforgeError(e) && e.code !== 'INTERNAL') {
      // Details of media and render errors hold server paths and ffmpeg arguments: those stay in the log.
      const details = SHARED_DETAILS.test(e.code) ? e.meta.details : undefined;
      conn.send({ type: 'error', id, ...where, code: e.code, message: e.message, details });
      return;
    }
    this.deps.log.error({ err: e }, 'preview message failed');
    conn.send({
      type: 'error',
      id,
      ...where,
      code: 'INTERNAL',
      message: 'internal error; the server log has the details',
    });
  }
}
