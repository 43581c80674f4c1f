import type WebSocket from 'ws';
import type { ClientOptions } from 'ws';
import { RecordingSocket } from '../../socket/test-support/recording-socket.js';

export interface WsMessage {
  type: string;
  id?: string;
  code?: string;
  topic?: string;
  event?: { type: string; [k: string]: unknown };
  [k: string]: unknown;
}

/** A real WebSocket client for tests: records every message and waits for the ones it is asked for. */
export class TestWsClient extends RecordingSocket<WsMessage> {
  private cursor = 0;

  private constructor(socket: WebSocket) {
    super(socket, (data) => JSON.parse(String(data)) as WsMessage);
  }

  static open(url: string, options: ClientOptions = {}): Promise<TestWsClient> {
    return RecordingSocket.connect(url, options, (socket) => new TestWsClient(socket));
  }

  /** The next message (after those already taken) matching `match`, waiting up to `ms`. */
  next(match: (m: WsMessage) => boolean = () => true, ms = 15_000): Promise<WsMessage> {
    for (; this.cursor < this.messages.length; this.cursor++) {
      const m = this.messages[this.cursor]!;
      if (match(m)) {
        this.cursor++;
        return Promise.resolve(m);
      }
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(`no matching message within ${ms} ms; got ${JSON.stringify(this.messages.slice(-5))}`),
          ),
        ms,
      );
      this.waiters.push({
        match,
        resolve: (m) => {
          clearTimeout(timer);
          this.cursor = this.messages.length;
          resolve(m);
        },
      });
    });
  }

  /** Sends a request with an id and waits for the reply carrying it. */
  async request(
    message: Record<string, unknown>,
    id = `r${Math.random().toString(36).slice(2, 8)}`,
  ): Promise<WsMessage> {
    const reply = this.next((m) => m.id === id);
    this.send({ ...message, id });
    return reply;
  }
}
