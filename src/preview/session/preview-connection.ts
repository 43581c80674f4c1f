import type { WebSocket } from 'ws';
import { CLOSE_TOO_SLOW, type ServerMessage } from './protocol.js';

/** Who a connection is: the owner whose projects it sees, and what it may do (the server's Principal). */
export interface PreviewPrincipal {
  owner: string;
  scopes: readonly string[];
  tokenId: string | null;
}

/** `admin` implies every scope (as in the HTTP API). */
export const hasScope = (p: PreviewPrincipal, scope: string) =>
  p.scopes.includes(scope) || p.scopes.includes('admin');

/** Above this, the client is not reading at all: the connection is closed. */
const DROP_CLIENT_BYTES = 64 << 20;

/** One WebSocket client of /preview: who it is and which sessions it has joined. */
export class PreviewConnection {
  principal: PreviewPrincipal | null = null;
  alive = true;
  authTimer: ReturnType<typeof setTimeout> | null = null;
  /** Session ids this connection is a member of. */
  readonly sessions = new Set<string>();
  private closed = false;

  constructor(
    readonly id: string,
    readonly socket: WebSocket,
  ) {}

  get isOpen(): boolean {
    return !this.closed && this.socket.readyState === this.socket.OPEN;
  }

  get bufferedAmount(): number {
    return this.socket.bufferedAmount;
  }

  send(message: ServerMessage): void {
    if (this.writable()) this.socket.send(JSON.stringify(message));
  }

  sendBinary(data: Buffer): void {
    if (this.writable()) this.socket.send(data, { binary: true });
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.dispose();
    this.socket.close(code, reason);
  }

  /** Stops timers; called once the socket is closed either way. */
  dispose(): void {
    this.closed = true;
    if (this.authTimer) clearTimeout(this.authTimer);
    this.authTimer = null;
  }

  private writable(): boolean {
    if (!this.isOpen) return false;
    if (this.socket.bufferedAmount > DROP_CLIENT_BYTES) {
      this.close(CLOSE_TOO_SLOW, 'not reading its messages');
      return false;
    }
    return true;
  }
}
