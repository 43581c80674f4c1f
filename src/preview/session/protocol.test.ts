import { describe, expect, it } from 'vitest';
import { parseClientMessage } from './protocol.js';

const session = 'ps_0123456789abcdef';
const parse = (m: unknown, max = 4_096) =>
  parseClientMessage(typeof m === 'string' ? m : JSON.stringify(m), false, max);

describe('parseClientMessage', () => {
  it('accepts each message type', () => {
    const messages = [
      { type: 'ping', t: 1 },
      { type: 'stats' },
      { type: 'session.create', projectId: 'p_0123456789abcdef' },
      { type: 'session.join', sessionId: session, joinKey: 'k' },
      { type: 'session.leave', sessionId: session },
      {
        type: 'params.update',
        sessionId: session,
        changes: [{ path: 'params.cameraSpeed', value: 2 }],
        baseVersion: 0,
      },
      { type: 'session.save', sessionId: session, overwrite: true },
      {
        type: 'frame.request',
        sessionId: session,
        time: 1.5,
        quality: 'wireframe',
        requestId: 'r1',
        format: 'png',
      },
      { type: 'frames.strip', sessionId: session, count: 10, width: 160 },
    ];
    for (const m of messages) expect(parse(m)).toMatchObject({ ok: true, message: m });
  });

  it('names what is wrong and where, and echoes the id', () => {
    const r = parse({
      type: 'frame.request',
      sessionId: session,
      time: -1,
      quality: 'ultra',
      requestId: 'r',
      id: 'q1',
    });
    expect(r).toMatchObject({ ok: false, code: 'WS_MESSAGE_INVALID', id: 'q1' });
    if (r.ok) return;
    expect(r.message).toContain('time');
    expect(r.message).toContain('quality');
    expect(parse({ type: 'launch' })).toMatchObject({ ok: false, code: 'WS_MESSAGE_INVALID' });
    expect(parse('{nope')).toMatchObject({ ok: false, message: 'the message is not JSON' });
    expect(
      parse({ type: 'params.update', sessionId: session, changes: [{ path: 'params.grade' }] }),
    ).toMatchObject({
      ok: false,
      message: expect.stringContaining('changes.0.value'),
    });
    expect(parseClientMessage(Buffer.from([1, 2]), true, 100)).toMatchObject({
      ok: false,
      code: 'WS_MESSAGE_INVALID',
    });
  });

  it('refuses oversized messages before parsing them', () => {
    const big = JSON.stringify({ type: 'ping', pad: 'x'.repeat(5_000) });
    expect(parse(big)).toMatchObject({ ok: false, code: 'PREVIEW_MESSAGE_TOO_LARGE' });
  });
});
