import { describe, expect, it } from 'vitest';
import { decodeFrameMessage, encodeFrameMessage } from './frame-message.js';
import type { FrameHeader } from './protocol.js';

const header: FrameHeader = {
  type: 'frame',
  sessionId: 'ps_0123456789abcdef',
  requestId: 'r1',
  time: 1.5,
  quality: 'preview',
  width: 160,
  height: 90,
  format: 'jpeg',
  cacheHit: false,
  renderMs: 12.5,
  version: 3,
};

describe('frame messages', () => {
  it('round-trips the header and the image bytes', () => {
    const image = Buffer.from([0xff, 0xd8, 0xff, 0x00, 0x52, 0x46, 0x50, 0x31]);
    const message = encodeFrameMessage(header, image);
    expect(message.subarray(0, 4).toString('ascii')).toBe('RFP1');
    expect(message.readUInt32BE(4)).toBe(Buffer.byteLength(JSON.stringify(header)));
    const decoded = decodeFrameMessage(message);
    expect(decoded.header).toEqual(header);
    expect(decoded.image.equals(image)).toBe(true);
  });

  it('refuses other data', () => {
    expect(() => decodeFrameMessage(Buffer.from('{"type":"frame"}'))).toThrow(/RFP1/);
    const short = encodeFrameMessage(header, Buffer.alloc(0)).subarray(0, 20);
    expect(() => decodeFrameMessage(short)).toThrow(/header says/);
  });
});
