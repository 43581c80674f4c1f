import { randomBytes } from 'node:crypto';
import { sessionLimit, sessionNotFound } from './errors.js';
import { PreviewSession, type SessionStorage } from './preview-session.js';

/**
 * The open preview sessions, by id. Sessions outlive their members (a client may reconnect and join
 * again) until nothing has happened in them for `idleTimeoutMs`; `sweep` closes those.
 */
export class SessionRegistry<M> {
  private readonly sessions = new Map<string, PreviewSession<M>>();

  constructor(
    private readonly storage: SessionStorage,
    private readonly options: { maxSessions: number; idleTimeoutMs: number },
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.sessions.size;
  }

  /** Members across all sessions. */
  get members(): number {
    let n = 0;
    for (const s of this.sessions.values()) n += s.members.size;
    return n;
  }

  async open(owner: string, projectId: string, version: number | undefined): Promise<PreviewSession<M>> {
    if (this.sessions.size >= this.options.maxSessions)
      throw sessionLimit('preview sessions on this server', this.options.maxSessions);
    const id = `ps_${randomBytes(10).toString('hex').slice(0, 16)}`;
    const session = await PreviewSession.open<M>(id, owner, projectId, version, this.storage, this.now());
    // Checked again: other sessions may have opened while this one read its media.
    if (this.sessions.size >= this.options.maxSessions)
      throw sessionLimit('preview sessions on this server', this.options.maxSessions);
    this.sessions.set(id, session);
    return session;
  }

  /** The session, marked active; PREVIEW_SESSION_NOT_FOUND when it is not open. */
  get(id: string): PreviewSession<M> {
    const s = this.sessions.get(id);
    if (!s) throw sessionNotFound(id);
    s.lastActive = this.now();
    return s;
  }

  /** The session without marking it active (for bookkeeping, not for a client's message). */
  peek(id: string): PreviewSession<M> | undefined {
    return this.sessions.get(id);
  }

  remove(id: string): PreviewSession<M> | undefined {
    const s = this.sessions.get(id);
    this.sessions.delete(id);
    return s;
  }

  /** Removes and returns the sessions idle for longer than the timeout; `busy` ones (a frame in flight) stay. */
  sweep(busy: (s: PreviewSession<M>) => boolean = () => false): PreviewSession<M>[] {
    const limit = this.now() - this.options.idleTimeoutMs;
    const idle = [...this.sessions.values()].filter((s) => s.lastActive < limit && !busy(s));
    for (const s of idle) this.sessions.delete(s.id);
    return idle;
  }

  all(): PreviewSession<M>[] {
    return [...this.sessions.values()];
  }
}
