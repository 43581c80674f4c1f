import WebSocket, { type ClientOptions } from 'ws';

/** A waiter for the first incoming message that matches. */
export interface Waiter<M> {
  match: (m: M) => boolean;
  resolve: (m: M) => void;
}

/**
 * A real WebSocket client for tests and benchmarks: records every message (as `parse` makes it) and
 * hands each to the waiters it matches. Subclasses decide how messages are taken (`next`).
 */
export class RecordingSocket<M> {
  readonly messages: M[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  protected waiters: Waiter<M>[] = [];

  protected constructor(
    readonly socket: WebSocket,
    parse: (data: Buffer, isBinary: boolean) => M,
  ) {
    socket.on('message', (data, isBinary) => {
      const m = parse(data as Buffer, isBinary);
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

  /** Connects, wrapping the socket with `make` before it opens so that no message is missed. */
  protected static async connect<C>(
    url: string,
    options: ClientOptions,
    make: (s: WebSocket) => C,
  ): Promise<C> {
    const socket = new WebSocket(url, options);
    const client = make(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return client;
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  close(): Promise<{ code: number; reason: string }> {
    this.socket.close();
    return this.closed;
  }
}
