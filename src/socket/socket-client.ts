import type { RawData, WebSocket } from 'ws';

/** Close code for a client that does not read what it is sent. */
export const CLOSE_TOO_SLOW = 4408;
/** Close code for a client that did not authenticate in time. */
export const CLOSE_AUTH_TIMEOUT = 4401;

/**
 * What every WebSocket client of the server has, whichever protocol it speaks (job events at /ws,
 * preview sessions at /preview): who it is once authenticated, liveness for the heartbeat, the timer
 * that closes it when it never authenticates, and sending that gives up on a client that stopped
 * reading (more than `dropAboveBytes` unsent) instead of buffering without end.
 */
export class SocketClient<P, M> {
  principal: P | null = null;
  alive = true;
  authTimer: ReturnType<typeof setTimeout> | null = null;
  #closed = false;

  constructor(
    readonly id: string,
    readonly socket: WebSocket,
    private readonly dropAboveBytes: number,
  ) {}

  /**
   * Wires the socket: messages go to `onMessage`, a pong marks the client alive, and a close or an
   * error calls `onGone` (which may come twice; it must be idempotent).
   */
  listen(onMessage: (data: RawData, isBinary: boolean) => void, onGone: () => void): void {
    this.socket.on('message', onMessage);
    this.socket.on('pong', () => {
      this.alive = true;
    });
    this.socket.on('close', onGone);
    this.socket.on('error', onGone);
  }

  /** Unless already authenticated (on the upgrade), closes the connection when `ms` pass without it. */
  awaitAuth(ms: number): void {
    if (this.principal !== null) return;
    this.authTimer = setTimeout(() => this.close(CLOSE_AUTH_TIMEOUT, 'no auth message in time'), ms);
  }

  /**
   * One heartbeat: a client that did not answer the previous ping is terminated (false); others are
   * pinged again.
   */
  heartbeat(): boolean {
    if (!this.alive) {
      this.socket.terminate();
      return false;
    }
    this.alive = false;
    if (this.isOpen) this.socket.ping();
    return true;
  }

  get isOpen(): boolean {
    return !this.#closed && this.socket.readyState === this.socket.OPEN;
  }

  get bufferedAmount(): number {
    return this.socket.bufferedAmount;
  }

  send(message: M): void {
    if (this.writable()) this.socket.send(JSON.stringify(message));
  }

  close(code: number, reason: string): void {
    if (this.#closed) return;
    this.dispose();
    this.socket.close(code, reason);
  }

  /** Stops timers; called once the socket is closed either way. Subclasses add their own. */
  dispose(): void {
    this.#closed = true;
    if (this.authTimer) clearTimeout(this.authTimer);
    this.authTimer = null;
  }

  /** False when closed, or when the client has stopped reading (then it is closed). */
  protected writable(): boolean {
    if (!this.isOpen) return false;
    if (this.socket.bufferedAmount > this.dropAboveBytes) {
      this.close(CLOSE_TOO_SLOW, 'not reading its messages');
      return false;
    }
    return true;
  }
}
