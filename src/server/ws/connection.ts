import type { WebSocket } from 'ws';
import { SocketClient } from '../../socket/socket-client.js';
import type { Principal } from '../auth-policy.js';
import { LatestWins } from './latest-wins.js';
import type { ServerMessage } from './protocol.js';

/** Above this much unsent data, progress events are skipped (newer ones will follow). */
const SKIP_PROGRESS_BYTES = 1 << 20;
/** Above this, the client is not reading at all: the connection is closed. */
const DROP_CLIENT_BYTES = 16 << 20;

/** One WebSocket client of /ws: who it is, what it follows, and its throttled progress. */
export class Connection extends SocketClient<Principal, ServerMessage> {
  readonly topics = new Set<string>();
  private readonly progress: LatestWins<ServerMessage>;

  constructor(id: string, socket: WebSocket, progressThrottleMs: number) {
    super(id, socket, DROP_CLIENT_BYTES);
    this.progress = new LatestWins(progressThrottleMs, (_key, message) => this.send(message));
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

  override dispose(): void {
    super.dispose();
    this.progress.clear();
  }
}
