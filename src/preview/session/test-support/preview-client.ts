import type WebSocket from 'ws';
import type { ClientOptions } from 'ws';
import { RecordingSocket } from '../../../socket/test-support/recording-socket.js';
import { decodeFrameMessage } from '../frame-message.js';
import type { FrameHeader } from '../protocol.js';

/** A JSON message from the server, or a frame (binary or base64) with its image decoded. */
export interface PreviewMessage {
  type: string;
  id?: string;
  code?: string;
  message?: string;
  requestId?: string;
  sessionId?: string;
  [k: string]: unknown;
}
export type ReceivedFrame = FrameHeader & { image: Buffer; binary: boolean; receivedAt: number };

/**
 * A real WebSocket client of /preview for tests and the benchmark: records every message, turns binary
 * and base64 frames alike into `frame` messages with the image as a Buffer, and waits for what it is asked.
 */
export class PreviewClient extends RecordingSocket<PreviewMessage> {
  private seq = 0;

  private constructor(socket: WebSocket) {
    super(socket, (data, isBinary) =>
      isBinary ? PreviewClient.binaryFrame(data) : PreviewClient.json(String(data)),
    );
  }

  private static binaryFrame(data: Buffer): PreviewMessage {
    const { header, image } = decodeFrameMessage(data);
    return { ...header, image: Buffer.from(image), binary: true, receivedAt: performance.now() };
  }

  private static json(text: string): PreviewMessage {
    const m = JSON.parse(text) as PreviewMessage;
    if (m.type === 'frame' && typeof m.data === 'string') {
      const { data, ...rest } = m;
      return { ...rest, image: Buffer.from(data, 'base64'), binary: false, receivedAt: performance.now() };
    }
    return m;
  }

  static open(url: string, options: ClientOptions = {}): Promise<PreviewClient> {
    return RecordingSocket.connect(url, options, (socket) => new PreviewClient(socket));
  }

  /** The first message not yet taken that matches `match` (taking it), waiting up to `ms`. */
  next(match: (m: PreviewMessage) => boolean = () => true, ms = 20_000): Promise<PreviewMessage> {
    for (let i = 0; i < this.messages.length; i++) {
      const m = this.messages[i]!;
      if (match(m)) {
        this.messages.splice(i, 1);
        return Promise.resolve(m);
      }
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        reject(new Error(`no matching message within ${ms} ms; last ones: ${this.describe()}`));
      }, ms);
      const done = (m: PreviewMessage) => {
        clearTimeout(timer);
        const at = this.messages.lastIndexOf(m);
        if (at >= 0) this.messages.splice(at, 1);
        resolve(m);
      };
      this.waiters.push({ match, resolve: done });
    });
  }

  /** Sends a message with a fresh id and waits for the reply carrying it. */
  request(message: Record<string, unknown>, ms?: number): Promise<PreviewMessage> {
    const id = `q${++this.seq}`;
    const reply = this.next((m) => m.id === id, ms);
    this.send({ ...message, id });
    return reply;
  }

  /** Asks for a frame and waits for it (or for its error or drop). */
  frame(message: Record<string, unknown> & { requestId: string }, ms?: number): Promise<PreviewMessage> {
    const reply = this.next(
      (m) => m.requestId === message.requestId && ['frame', 'error', 'frame.dropped'].includes(m.type),
      ms,
    );
    this.send({ type: 'frame.request', ...message });
    return reply;
  }

  private describe(): string {
    return JSON.stringify(
      this.messages
        .slice(-5)
        .map((m) => ('image' in m ? { ...m, image: `${(m.image as Buffer).length} bytes` } : m)),
    ).slice(0, 2_000);
  }
}
