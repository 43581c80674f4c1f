import type { FrameHeader } from './protocol.js';

/**
 * A frame as one binary WebSocket message:
 *
 *   bytes 0–3   magic "RFP1" (Reelforge preview frame, layout 1)
 *   bytes 4–7   header length N, unsigned 32-bit big-endian
 *   bytes 8…    N bytes of UTF-8 JSON (FrameHeader)
 *   then        the image bytes (JPEG, WebP or PNG as the header's `format` says) to the end
 *
 * A length prefix rather than a delimiter, so the image bytes are never scanned; JSON so the header
 * can gain fields without breaking readers.
 */
export const FRAME_MAGIC = Buffer.from('RFP1', 'ascii');
const PREFIX = 8;

/** Packs a header and the image into one message. */
export function encodeFrameMessage(header: FrameHeader, image: Uint8Array): Buffer {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const prefix = Buffer.alloc(PREFIX);
  FRAME_MAGIC.copy(prefix, 0);
  prefix.writeUInt32BE(json.length, 4);
  return Buffer.concat([prefix, json, image]);
}

/** Unpacks a binary frame message (clients, tests, the benchmark); throws on anything else. */
export function decodeFrameMessage(data: Uint8Array): { header: FrameHeader; image: Buffer } {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (buf.length < PREFIX || !buf.subarray(0, 4).equals(FRAME_MAGIC)) {
    throw new Error('not a preview frame: the message does not start with "RFP1"');
  }
  const length = buf.readUInt32BE(4);
  if (PREFIX + length > buf.length) {
    throw new Error(`preview frame header says ${length} bytes but only ${buf.length - PREFIX} follow`);
  }
  const header = JSON.parse(buf.subarray(PREFIX, PREFIX + length).toString('utf8')) as FrameHeader;
  return { header, image: buf.subarray(PREFIX + length) };
}
