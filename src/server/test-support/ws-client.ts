import WebSocket, { type ClientOptions } from 'ws';

export interface WsMessage {
  type: string;
  id?: string;
  code?: string;
  topic?: string;
  event?: { type: string; [k: string]: unknown };
  [k: string]: unknown;
}

/** A real WebSocket client for tests: records every message and waits for the ones it is asked for. */
export class TestWsClient {
  readonly messages: WsMessage[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: Array<{ match: (m: WsMessage) => boolean; resolve: (m: WsMessage) => void }> = [];
  private cursor = 0;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const m = JSON.parse(String(data)) as WsMessage;
      this.messages.push(m);
      this.waiters = this.waiters.filter((w) => {
        if (!w.match(m)) return true;
        w.resolve(m);
        return false;
      });
    });
    this.closed = new Promise((resolve) =>
      socket.on('close', (code, reason) => resolve({ code, reason: String(reason) })),
    );
  }

  static async open(url: string, options: ClientOptions = {}): Promise<TestWsClient> {
    const socket = new WebSocket(url, options);
    const client = new TestWsClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return client;
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
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

  close(): Promise<{ code: number; reason: string }> {
    this.socket.close();
    return this.closed;
  }
}
