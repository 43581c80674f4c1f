import type { WebSocket } from 'ws';
import { SocketClient } from '../../socket/socket-client.js';
import type { ServerMessage } from './protocol.js';

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
export class PreviewConnection extends SocketClient<PreviewPrincipal, ServerMessage> {
  /** Session ids this connection is a member of. */
  readonly sessions = new Set<string>();

  constructor(id: string, socket: WebSocket) {
    super(id, socket, DROP_CLIENT_BYTES);
  }

  sendBinary(data: Buffer): void {
    if (this.writable()) this.socket.send(data, { binary: true });
  }
}
