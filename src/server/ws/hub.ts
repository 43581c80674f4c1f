import type { IncomingHttpHeaders } from 'node:http';
import type { WebSocket } from 'ws';
import type { Services } from '../../app.js';
import { isReelforgeError, ReelforgeError } from '../../errors.js';
import type { UploadProgress } from '../../ingest/upload/index.js';
import type { JobEvent } from '../../jobs/index.js';
import type { ProjectEvent } from '../../storage/project-events.js';
import { type AuthPolicy, forbidden, hasScope, type Principal } from '../auth-policy.js';
import { RateLimiter } from '../rate-limiter.js';
import { Connection } from './connection.js';
import { type ClientMessage, parseClientMessage } from './protocol.js';

export interface HubOptions {
  heartbeatMs: number;
  progressThrottleMs: number;
  authTimeoutMs: number;
  maxSubscriptions: number;
  rateLimit: { perMinute: number; burst: number };
}

/** Which project a job belongs to (renders of a project), remembered for a while. */
class JobProjects {
  private readonly cache = new Map<string, string | null>();
  constructor(private readonly lookup: (jobId: string) => string | null) {}
  get(jobId: string): string | null {
    let v = this.cache.get(jobId);
    if (v === undefined) {
      v = this.lookup(jobId);
      if (this.cache.size >= 10_000) this.cache.clear();
      this.cache.set(jobId, v);
    }
    return v;
  }
}

/**
 * The WebSocket hub: authenticates connections, keeps topic subscriptions, fans job and project events
 * out to them (progress throttled per connection), and keeps connections honest with ping/pong.
 */
export class WsHub {
  private readonly connections = new Set<Connection>();
  private readonly topics = new Map<string, Set<Connection>>();
  private readonly limiter: RateLimiter;
  private readonly jobProjects: JobProjects;
  private readonly stops: Array<() => void> = [];
  private readonly heartbeat: ReturnType<typeof setInterval>;
  private next = 0;
  private closing: Promise<void> | null = null;

  constructor(
    private readonly services: Services,
    private readonly auth: AuthPolicy,
    private readonly options: HubOptions,
  ) {
    this.limiter = new RateLimiter(options.rateLimit);
    this.jobProjects = new JobProjects((id) => services.renderRecords.getAny(id)?.projectId ?? null);
    this.stops.push(services.queue.subscribe((e) => this.onJobEvent(e)));
    this.stops.push(services.projectEvents.subscribe((e) => this.onProjectEvent(e)));
    this.stops.push(services.uploads.subscribe((e) => this.onUploadEvent(e)));
    this.heartbeat = setInterval(() => this.beat(), options.heartbeatMs);
    this.heartbeat.unref();
  }

  /** Connections open now. */
  get size(): number {
    return this.connections.size;
  }

  accept(socket: WebSocket, headers: IncomingHttpHeaders): void {
    const conn = new Connection(`c${++this.next}`, socket, this.options.progressThrottleMs);
    this.connections.add(conn);
    conn.listen(
      (data, isBinary) => this.onMessage(conn, data, isBinary),
      () => this.drop(conn),
    );
    conn.principal = this.principalOnUpgrade(conn, headers);
    conn.send({
      type: 'hello',
      authenticated: conn.principal !== null,
      heartbeatMs: this.options.heartbeatMs,
      progressThrottleMs: this.options.progressThrottleMs,
    });
    conn.awaitAuth(this.options.authTimeoutMs);
  }

  /** Closes every connection (1001, going away) and stops listening for events. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      clearInterval(this.heartbeat);
      for (const stop of this.stops) stop();
      for (const conn of this.connections) conn.close(1001, 'server shutting down');
      this.connections.clear();
      this.topics.clear();
    })();
    return this.closing;
  }

  /** A bearer token on the upgrade request, or the local user of an open server; else null (send `auth`). */
  private principalOnUpgrade(conn: Connection, headers: IncomingHttpHeaders): Principal | null {
    try {
      return (
        this.auth.fromHeader(headers.authorization) ??
        this.auth.anonymous({ host: headers.host, origin: headers.origin })
      );
    } catch (e) {
      if (headers.authorization) this.sendError(conn, undefined, e);
      return null;
    }
  }

  private onMessage(conn: Connection, data: unknown, isBinary: boolean): void {
    conn.alive = true;
    const parsed = parseClientMessage(data, isBinary);
    if (!parsed.ok) {
      conn.send({
        type: 'error',
        id: parsed.id,
        code: 'WS_MESSAGE_INVALID',
        message: parsed.message,
        details: parsed.details,
      });
      return;
    }
    const m = parsed.message;
    const decision = this.limiter.take(conn.principal?.tokenId ?? conn.id);
    if (!decision.ok) {
      conn.send({
        type: 'error',
        id: m.id,
        code: 'RATE_LIMITED',
        message: `too many messages; try again in ${Math.ceil(decision.retryAfterMs / 1000)} s`,
      });
      return;
    }
    this.handle(conn, m).catch((e: unknown) => this.sendError(conn, m.id, e));
  }

  private async handle(conn: Connection, m: ClientMessage): Promise<void> {
    if (m.type === 'ping') return conn.send({ type: 'pong', id: m.id });
    if (m.type === 'auth') {
      const principal = this.auth.fromToken(m.token);
      conn.principal = principal;
      if (conn.authTimer) clearTimeout(conn.authTimer);
      conn.authTimer = null;
      return conn.send({ type: 'authenticated', id: m.id, owner: principal.owner, scopes: principal.scopes });
    }
    const p = conn.principal;
    if (!p) {
      return conn.send({
        type: 'error',
        id: m.id,
        code: 'AUTH_REQUIRED',
        message: 'send {"type":"auth","token":"rft_…"} first',
      });
    }
    if (m.type === 'unsubscribe') {
      this.unsubscribe(conn, m.topic);
      return conn.send({ type: 'unsubscribed', id: m.id, topic: m.topic });
    }
    if (!conn.topics.has(m.topic) && conn.topics.size >= this.options.maxSubscriptions) {
      return conn.send({
        type: 'error',
        id: m.id,
        code: 'WS_MESSAGE_INVALID',
        message: `a connection follows at most ${this.options.maxSubscriptions} topics; unsubscribe from some first`,
      });
    }
    const snapshot = await this.authorize(p, m.topic);
    if (!conn.isOpen) return;
    conn.topics.add(m.topic);
    const set = this.topics.get(m.topic) ?? new Set<Connection>();
    this.topics.set(m.topic, set);
    set.add(conn);
    conn.send({ type: 'subscribed', id: m.id, topic: m.topic, snapshot });
  }

  /** Checks that the principal may follow the topic and returns its current state; throws as the API would. */
  private async authorize(p: Principal, topic: string): Promise<unknown> {
    const { services } = this;
    if (!hasScope(p, 'read')) throw forbidden('read', p);
    if (topic === 'jobs') {
      if (!hasScope(p, 'admin')) throw forbidden('admin', p);
      return (await services.queue.stats()).counts;
    }
    const [kind, id] = [topic.slice(0, topic.indexOf(':')), topic.slice(topic.indexOf(':') + 1)];
    if (kind === 'upload') return services.uploads.status(id, p.owner); // UPLOAD_NOT_FOUND for others
    if (kind === 'project') {
      const project = services.projects.get(p.owner, id);
      return { version: project.version, updatedAt: project.updatedAt };
    }
    if (!hasScope(p, 'admin') && !services.renderRecords.get(p.owner, id)) {
      throw new ReelforgeError('JOB_NOT_FOUND', `job ${id} not found`, { status: 404 });
    }
    const job = await services.queue.get(id);
    return {
      state: job.state,
      percent: job.percent,
      etaMs: job.etaMs,
      message: job.message,
      error: job.error,
    };
  }

  private onJobEvent(e: JobEvent): void {
    const projectId = this.jobProjects.get(e.jobId);
    for (const topic of ['jobs', `job:${e.jobId}`, projectId ? `project:${projectId}` : null]) {
      if (!topic) continue;
      for (const conn of this.topics.get(topic) ?? []) conn.deliver(topic, e.jobId, e);
    }
  }

  private onProjectEvent(e: ProjectEvent): void {
    const topic = `project:${e.projectId}`;
    const { owner: _, ...event } = e;
    for (const conn of this.topics.get(topic) ?? []) conn.deliver(topic, null, event);
  }

  /** Upload progress is already throttled at its source; subscribers were checked to be the owner. */
  private onUploadEvent(e: UploadProgress): void {
    const topic = `upload:${e.uploadId}`;
    for (const conn of this.topics.get(topic) ?? []) conn.deliver(topic, null, e);
  }

  private unsubscribe(conn: Connection, topic: string): void {
    conn.topics.delete(topic);
    const set = this.topics.get(topic);
    set?.delete(conn);
    if (set?.size === 0) this.topics.delete(topic);
  }

  private drop(conn: Connection): void {
    conn.dispose();
    for (const topic of [...conn.topics]) this.unsubscribe(conn, topic);
    this.connections.delete(conn);
  }

  private beat(): void {
    for (const conn of this.connections) if (!conn.heartbeat()) this.drop(conn);
  }

  private sendError(conn: Connection, id: string | undefined, e: unknown): void {
    if (isReelforgeError(e) && e.code !== 'INTERNAL') {
      conn.send({ type: 'error', id, code: e.code, message: e.message });
      return;
    }
    this.services.log.error({ err: e }, 'websocket message failed');
    conn.send({
      type: 'error',
      id,
      code: 'INTERNAL',
      message: 'internal error; the server log has the details',
    });
  }
}
