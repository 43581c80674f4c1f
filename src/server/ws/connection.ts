import type { WebSocket } from 'ws';
import type { Principal } from '../auth-policy.js';
import { LatestWins } from './latest-wins.js';
import { CLOSE_TOO_SLOW, type ServerMessage } from './protocol.js';

/** Above this much unsent data, progress events are skipped (newer ones will follow). */
const SKIP_PROGRESS_BYTES = 1 << 20;
/** Above this, the client is not reading at all: the connection is closed. */
const DROP_CLIENT_BYTES = 16 << 20;

/** One WebSocket client: who it is, what it follows, and its throttled progress. */
export class Connection {
  principal: Principal | null = null;
  readonly topics = new Set<string>();
  alive = true;
  authTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly progress: LatestWins<ServerMessage>;
  private closed = false;

  constructor(
    readonly id: string,
    readonly socket: WebSocket,
    progressThrottleMs: number,
  ) {
    this.progress = new LatestWins(progressThrottleMs, (_key, message) => this.send(message));
  }

  get isOpen(): boolean {
    return !this.closed && this.socket.readyState === this.socket.OPEN;
  }

  send(message: ServerMessage): void {
    if (!this.isOpen) return;
    if (this.socket.bufferedAmount > DROP_CLIENT_BYTES) {
      this.close(CLOSE_TOO_SLOW, 'not reading its messages');
      return;
    }
    this.socket.send(JSON.stringify(message));
  }

  /** A job event on a topic: progress is throttled per job and topic; other events go out in order. */
  deliver(topic: string, jobId: string | null, event: { type: string }): void {
    const message: ServerMessage = { type: 'event', topic, event };
    if (jobId === null) {
      this.send(message);
      return;
    }
    const key = `${topic}\u0000${jobId}`;
    if (event.type === 'job.progress') {
      if (this.socket.bufferedAmount > SKIP_PROGRESS_BYTES) return;
      this.progress.push(key, message);
      return;
    }
    this.progress.flush(key);
    this.send(message);
    if (event.type === 'job.completed' || event.type === 'job.failed' || event.type === 'job.cancelled') {
      this.progress.forget(key);
    }
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.dispose();
    this.socket.close(code, reason);
  }

  /** Stops timers; called once the socket is closed either way. */
  dispose(): void {
    this.closed = true;
    this.progress.clear();
    if (this.authTimer) clearTimeout(this.authTimer);
    this.authTimer = null;
  }
}
