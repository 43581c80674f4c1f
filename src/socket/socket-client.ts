import type { WebSocket } from 'ws';

/** Close code for a client that does not read what it is sent. */
export const CLOSE_TOO_SLOW = 4408;

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
