/** Live preview sessions over WebSocket (docs/preview-protocol.md): the public surface. */
export { decodeFrameMessage, encodeFrameMessage, FRAME_MAGIC } from './frame-message.js';
export type { PreviewPrincipal } from './preview-connection.js';
export { PreviewHub, type PreviewHubDeps, type PreviewHubOptions } from './preview-hub.js';
export type { SessionStorage } from './preview-session.js';
export {
  CLOSE_AUTH_TIMEOUT,
  CLOSE_TOO_SLOW,
  type ClientMessage,
  clientMessageSchema,
  type FrameHeader,
  type ServerMessage,
} from './protocol.js';
