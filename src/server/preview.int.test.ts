import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeTestImage } from '../../test/helpers/media-fixtures.js';
import { tmpDir } from '../../test/helpers/paths.js';
import { renderFrame } from '../engine/index.js';
import { PreviewClient, type PreviewMessage } from '../preview/session/test-support/preview-client.js';
import { parseTimeline } from '../timeline/index.js';
import { startTestServer, type TestServer, uploadAsset } from './test-support/test-server.js';

const fixtures = join(tmpDir, 'preview-fixtures');

const clients: PreviewClient[] = [];
async function connect(s: TestServer, token?: string): Promise<PreviewClient> {
  const url = s.wsUrl.replace(/\/ws$/, '/preview');
  const c = await PreviewClient.open(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  clients.push(c);
  await c.next((m) => m.type === 'hello');
  return c;
}
afterEach(async () => {
  for (const c of clients.splice(0)) if (c.socket.readyState === c.socket.OPEN) await c.close();
});

const upload = (s: TestServer, path: string, token: string) =>
  uploadAsset(s, readFileSync(path), 'fixture', { token });

/** Two image clips one after the other (0–1 s, 1–2 s) and a title over the second. */
const twoClips = (a: string, b: string) => ({
  output: { width: 160, height: 90, fps: 10, duration: 2 },
  tracks: [
    {
      clips: [
        { type: 'image', src: a, start: 0, duration: 1, camera: { from: { zoom: 1 }, to: { zoom: 1.2 } } },
        { type: 'image', src: b, start: 1, duration: 1 },
      ],
    },
    { clips: [{ type: 'text', text: 'Live', start: 1.2, duration: 0.8 }] },
  ],
});

async function createProject(s: TestServer, timeline: unknown, token: string): Promise<string> {
  const res = await s.request('/projects', { method: 'POST', json: { name: 'Preview', timeline }, token });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

async function openSession(c: PreviewClient, projectId: string): Promise<PreviewMessage> {
  const created = await c.request({ type: 'session.create', projectId });
  expect(created).toMatchObject({ type: 'session.created', projectId, version: 0 });
  return created;
}

describe('preview: sessions, updates and frames', () => {
  let s: TestServer;
  let alice: string;
  let bob: string;
  let reader: string;
  let projectId: string;
  let red: { id: string; ref: string };
  let pattern: { id: string; ref: string };

  beforeAll(async () => {
    s = await startTestServer({
      rateLimit: { perMinute: 0 },
      preview: { prefetchDelayMs: 0, messageBytes: 4_096 },
    });
    const tokens = s.services.tokens;
    alice = tokens.create({ name: 'alice', owner: 'alice', scopes: ['read', 'write'] }).token;
    bob = tokens.create({ name: 'bob', owner: 'bob', scopes: ['read', 'write'] }).token;
    reader = tokens.create({ name: 'reader', owner: 'alice', scopes: ['read'] }).token;
    red = await upload(s, await makeTestImage(fixtures, { w: 160, h: 90, color: 'red' }), alice);
    pattern = await upload(s, await makeTestImage(fixtures, { w: 320, h: 180, pattern: 'testsrc2' }), alice);
    projectId = await createProject(s, twoClips(pattern.ref, red.ref), alice);
  });
  afterAll(() => s.close());

  it('authenticates like /ws: a token on the upgrade or an auth message; pings carry both clocks', async () => {
    const anonymous = await connect(s);
    expect(await anonymous.request({ type: 'session.create', projectId })).toMatchObject({
      type: 'error',
      code: 'AUTH_REQUIRED',
    });
    expect(await anonymous.request({ type: 'auth', token: 'rft_nope' })).toMatchObject({
      code: 'AUTH_INVALID',
    });
    expect(await anonymous.request({ type: 'auth', token: alice })).toMatchObject({
      type: 'authenticated',
      owner: 'alice',
    });
    const before = Date.now();
    const pong = await anonymous.request({ type: 'ping', t: 12345 });
    expect(pong).toMatchObject({ type: 'pong', t: 12345 });
    expect(pong.serverTime).toBeGreaterThanOrEqual(before);
  });

  it('shares updates among members, with who made them and the new version', async () => {
    const a = await connect(s, alice);
    const b = await connect(s, bob);
    const created = await openSession(a, projectId);
    const sessionId = created.sessionId as string;
    expect(created.timeline).toMatchObject({
      tracks: [{ clips: [{ src: pattern.ref }, { src: red.ref }] }, {}],
    });

    expect(await b.request({ type: 'session.create', projectId })).toMatchObject({
      code: 'PROJECT_NOT_FOUND',
    });
    // Bob owns nothing here: without the join key the session does not exist for him.
    expect(await b.request({ type: 'session.join', sessionId })).toMatchObject({
      type: 'error',
      code: 'PREVIEW_SESSION_NOT_FOUND',
    });
    const joined = await b.request({ type: 'session.join', sessionId, joinKey: created.joinKey });
    expect(joined).toMatchObject({ type: 'session.joined', sessionId, version: 0 });
    expect(joined).not.toHaveProperty('joinKey');
    expect(joined.members).toHaveLength(2);
    const bobRef = joined.you as { memberId: string; owner: string };
    expect(await a.next((m) => m.type === 'session.member')).toMatchObject({
      event: 'joined',
      member: { owner: 'bob', memberId: bobRef.memberId },
    });

    const aliceRef = created.you as { memberId: string };
    const reply = await a.request({
      type: 'params.update',
      sessionId,
      changes: [
        { path: 'params.cameraSpeed', value: 2 },
        { path: 'params.motionBlur', value: 0.5 },
      ],
    });
    expect(reply).toMatchObject({ type: 'params.updated', version: 1, overwritten: [] });
    const seen = await b.next((m) => m.type === 'params.updated');
    expect(seen).toMatchObject({
      sessionId,
      version: 1,
      by: { memberId: aliceRef.memberId, owner: 'alice' },
      changes: [
        { path: 'params.cameraSpeed', value: 2 },
        { path: 'params.motionBlur', value: 0.5 },
      ],
    });
    expect(seen).not.toHaveProperty('id');

    // Bob still looks at version 0 and sets the same field: his write wins, and he is told whose he replaced.
    const late = await b.request({
      type: 'params.update',
      sessionId,
      baseVersion: 0,
      changes: [{ path: 'params.cameraSpeed', value: 0.5 }],
    });
    expect(late).toMatchObject({
      version: 2,
      overwritten: [{ path: 'params.cameraSpeed', version: 1, by: { owner: 'alice' } }],
    });
    expect(await a.next((m) => m.type === 'params.updated')).toMatchObject({
      version: 2,
      by: { owner: 'bob' },
      changes: [{ path: 'params.cameraSpeed', value: 0.5 }],
    });
    const rejoined = await a.request({ type: 'session.join', sessionId });
    expect(rejoined).toMatchObject({
      version: 2,
      timeline: { params: { cameraSpeed: 0.5, motionBlur: 0.5 } },
    });

    expect(await b.request({ type: 'session.leave', sessionId })).toMatchObject({ type: 'session.left' });
    expect(await a.next((m) => m.type === 'session.member')).toMatchObject({
      event: 'left',
      member: { owner: 'bob' },
    });
    expect(
      await b.request({ type: 'params.update', sessionId, changes: [{ path: 'params.grade', value: 0 }] }),
    ).toMatchObject({ code: 'PREVIEW_NOT_JOINED' });
  });

  it('answers bad messages with errors naming the problem, and the session goes on', async () => {
    const a = await connect(s, alice);
    const sessionId = (await openSession(a, projectId)).sessionId as string;
    a.send('{not json');
    expect(await a.next((m) => m.type === 'error')).toMatchObject({
      code: 'WS_MESSAGE_INVALID',
      message: 'the message is not JSON',
    });
    expect(await a.request({ type: 'launch' })).toMatchObject({ code: 'WS_MESSAGE_INVALID' });
    const badTime = await a.request({
      type: 'frame.request',
      sessionId,
      time: -1,
      quality: 'preview',
      requestId: 'x',
    });
    expect(badTime).toMatchObject({ code: 'WS_MESSAGE_INVALID', message: expect.stringContaining('time') });

    const late = await a.request({
      type: 'frame.request',
      sessionId,
      time: 2.5,
      quality: 'preview',
      requestId: 'y',
    });
    expect(late).toMatchObject({
      code: 'PREVIEW_FRAME_INVALID',
      requestId: 'y',
      message: expect.stringContaining('past the end of the timeline (2 s)'),
    });

    const update = (path: string, value: unknown) =>
      a.request({ type: 'params.update', sessionId, changes: [{ path, value }] });
    expect(await update('params.cameraSpeed', 99)).toMatchObject({
      code: 'TIMELINE_INVALID',
      message: expect.stringContaining('params.cameraSpeed'),
    });
    expect(await update('params.interpolation', 'smooth')).toMatchObject({
      code: 'TIMELINE_INVALID',
      message: expect.stringContaining('params.interpolation'),
    });
    expect(await update('tracks[7].clips[0].opacity', 1)).toMatchObject({
      code: 'PREVIEW_PATH_INVALID',
      message: expect.stringContaining('tracks[7] does not exist'),
    });
    expect(await update('__proto__.admin', true)).toMatchObject({ code: 'PREVIEW_PATH_INVALID' });
    // A media field may only name the owner's assets, never a path on the server.
    expect(await update('tracks[0].clips[1].src', '/etc/passwd')).toMatchObject({
      code: 'ASSET_REF_INVALID',
      message: expect.stringContaining('tracks[0].clips[1].src'),
    });
    a.send({
      type: 'params.update',
      sessionId,
      changes: [{ path: 'params.look', value: 'x'.repeat(5_000) }],
    });
    expect(await a.next((m) => m.type === 'error')).toMatchObject({ code: 'PREVIEW_MESSAGE_TOO_LARGE' });
    expect(await a.request({ type: 'session.join', sessionId: 'ps_0000000000000000' })).toMatchObject({
      code: 'PREVIEW_SESSION_NOT_FOUND',
    });

    // None of it changed the session or closed the connection.
    expect(await update('params.grade', 0.5)).toMatchObject({ type: 'params.updated', version: 1 });
    expect(await a.request({ type: 'ping' })).toMatchObject({ type: 'pong' });
  });

  it('needs the write scope to change a session, read to watch it', async () => {
    const a = await connect(s, alice);
    const r = await connect(s, reader);
    const sessionId = (await openSession(a, projectId)).sessionId as string;
    expect(await r.request({ type: 'session.join', sessionId })).toMatchObject({ type: 'session.joined' });
    expect(
      await r.request({ type: 'params.update', sessionId, changes: [{ path: 'params.grade', value: 0 }] }),
    ).toMatchObject({ code: 'AUTH_FORBIDDEN' });
  });

  it('saves as a new project version; a stale save is reported and the changes are kept', async () => {
    const a = await connect(s, alice);
    const id = await createProject(s, twoClips(red.ref, red.ref), alice);
    const sessionId = (await openSession(a, id)).sessionId as string;
    const saved = a.next((m) => m.type === 'session.saved');
    await a.request({
      type: 'params.update',
      sessionId,
      save: true,
      message: 'slower camera',
      changes: [{ path: 'params.cameraSpeed', value: 0.25 }],
    });
    expect(await saved).toMatchObject({ projectVersion: 2, version: 1, by: { owner: 'alice' } });

    // Someone saves through the API meanwhile: the session's next save is stale.
    const put = await s.request(`/projects/${id}/timeline`, {
      method: 'PUT',
      json: { baseVersion: 2, timeline: twoClips(red.ref, pattern.ref) },
      token: alice,
    });
    expect(put.status).toBe(200);
    const conflict = a.next((m) => m.type === 'error');
    await a.request({
      type: 'params.update',
      sessionId,
      save: true,
      changes: [{ path: 'params.grade', value: 0.2 }],
    });
    expect(await conflict).toMatchObject({
      code: 'PROJECT_VERSION_CONFLICT',
      details: { currentVersion: 3, baseVersion: 2, kept: true, sessionVersion: 2 },
    });
    expect(await a.request({ type: 'session.save', sessionId, overwrite: true })).toMatchObject({
      type: 'session.saved',
      projectVersion: 4,
    });
    const current = (await (await s.request(`/projects/${id}/timeline`, { token: alice })).json()) as {
      timeline: { params: { cameraSpeed: number; grade: number } };
    };
    expect(current.timeline.params).toMatchObject({ cameraSpeed: 0.25, grade: 0.2 });
  });

  it('sends binary frames with a header, or base64 when asked', async () => {
    const a = await connect(s, alice);
    const sessionId = (await openSession(a, projectId)).sessionId as string;
    const frame = await a.frame({ sessionId, time: 0.5, quality: 'wireframe', requestId: 'w1' });
    expect(frame).toMatchObject({
      type: 'frame',
      binary: true,
      sessionId,
      requestId: 'w1',
      quality: 'wireframe',
      format: 'jpeg',
      version: 0,
    });
    const meta = await sharp(frame.image as Buffer).metadata();
    expect(meta).toMatchObject({ format: 'jpeg', width: frame.width, height: frame.height });

    const b64 = await a.frame({
      sessionId,
      time: 0.5,
      quality: 'preview',
      requestId: 'p1',
      format: 'webp',
      encoding: 'base64',
    });
    expect(b64).toMatchObject({ type: 'frame', binary: false, quality: 'preview', format: 'webp' });
    expect((await sharp(b64.image as Buffer).metadata()).format).toBe('webp');
  });

  it('sends the exact export frame at full quality', async () => {
    const a = await connect(s, alice);
    const sessionId = (await openSession(a, projectId)).sessionId as string;
    const frame = await a.frame({ sessionId, time: 0.7, quality: 'full', requestId: 'f1', format: 'png' });
    expect(frame).toMatchObject({ type: 'frame', width: 160, height: 90, format: 'png' });
    expect(frame).not.toHaveProperty('degraded');
    const decoded = await sharp(frame.image as Buffer)
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });

    const path = async (ref: { id: string }) =>
      s.services.blobs.localPath(s.services.assets.get('alice', ref.id).hash);
    const timeline = parseTimeline(twoClips(await path(pattern), await path(red)));
    const expected = await renderFrame(timeline, 0.7, {
      ff: await s.services.ffmpeg(),
      baseDir: tmpDir,
      scale: 1,
    });
    expect(decoded.info).toMatchObject({ width: expected.width, height: expected.height, channels: 4 });
    expect(Buffer.compare(decoded.data, Buffer.from(expected.rgba))).toBe(0);
  });

  it('drops stale requests: in a burst only the last one is rendered', async () => {
    const a = await connect(s, alice);
    const sessionId = (await openSession(a, projectId)).sessionId as string;
    for (let i = 1; i <= 5; i++) {
      a.send({ type: 'frame.request', sessionId, time: 0.1 * i, quality: 'high', requestId: `s${i}` });
    }
    const last = await a.next((m) => m.requestId === 's5');
    expect(last).toMatchObject({ type: 'frame', requestId: 's5' });
    for (let i = 1; i <= 4; i++) {
      expect(await a.next((m) => m.requestId === `s${i}`)).toMatchObject({
        type: 'frame.dropped',
        reason: 'superseded',
      });
    }
    expect(a.messages.filter((m) => m.type === 'frame')).toEqual([]);
  });

  it('invalidates exactly the frames an edit affects', async () => {
    // Its own media: the cache is shared by content, so frames of other tests' timelines must not count.
    const green = await upload(s, await makeTestImage(fixtures, { w: 160, h: 90, color: 'green' }), alice);
    const a = await connect(s, alice);
    const id = await createProject(s, twoClips(green.ref, red.ref), alice);
    const sessionId = (await openSession(a, id)).sessionId as string;
    let n = 0;
    const hit = async (time: number) => {
      const f = await a.frame({ sessionId, time, quality: 'preview', requestId: `i${++n}` });
      expect(f.type).toBe('frame');
      return f.cacheHit;
    };
    expect([await hit(0.5), await hit(1.5)]).toEqual([false, false]);
    expect([await hit(0.5), await hit(1.5)]).toEqual([true, true]);

    // The first clip's opacity: only frames inside it (0–1 s) go.
    const clipEdit = await a.request({
      type: 'params.update',
      sessionId,
      changes: [{ path: 'tracks[0].clips[0].transform.opacity', value: 0.5 }],
    });
    expect(clipEdit.invalidated).toBe(1);
    expect([await hit(0.5), await hit(1.5)]).toEqual([false, true]);

    // A global parameter: everything goes.
    const global = await a.request({
      type: 'params.update',
      sessionId,
      changes: [{ path: 'params.grade', value: 0.3 }],
    });
    expect(global.invalidated).toBe(2);
    expect([await hit(0.5), await hit(1.5)]).toEqual([false, false]);

    const stats = await a.request({ type: 'stats' });
    expect(stats).toMatchObject({
      type: 'stats',
      frames: {
        cache: { entries: expect.any(Number), hits: expect.any(Number) },
        breaker: { state: 'closed' },
      },
      sessions: { open: expect.any(Number), members: expect.any(Number) },
    });
  });

  it('returns a strip of thumbnails along the timeline', async () => {
    const a = await connect(s, alice);
    const sessionId = (await openSession(a, projectId)).sessionId as string;
    const strip = await a.request({ type: 'frames.strip', sessionId, count: 4, width: 64 });
    expect(strip).toMatchObject({ type: 'frames.strip', sessionId, version: 0 });
    const frames = strip.frames as Array<{ time: number; width: number; data: string }>;
    expect(frames).toHaveLength(4);
    expect(frames.every((f) => f.width === 64)).toBe(true);
    expect(new Set(frames.map((f) => f.time)).size).toBe(4);
    expect((await sharp(Buffer.from(frames[0]!.data, 'base64')).metadata()).width).toBe(64);
  });
});

describe('preview: the breaker and idle sessions', () => {
  let s: TestServer;
  let token: string;
  beforeAll(async () => {
    s = await startTestServer({
      rateLimit: { perMinute: 0 },
      // The idle timeout stays well above the breaker test's pauses (a loaded machine stretches them),
      // and short enough for the idle test to see a session closed.
      preview: { prefetchDelayMs: 0, idleTimeoutMs: 1500, breaker: { failureThreshold: 2, openMs: 300 } },
    });
    token = s.services.tokens.create({ name: 'alice', owner: 'alice', scopes: ['read', 'write'] }).token;
  });
  afterAll(() => s.close());

  it('serves wireframes with a reason while rendering fails, and recovers', async () => {
    const good = await upload(s, await makeTestImage(fixtures, { w: 160, h: 90, color: 'blue' }), token);
    const lost = await upload(s, await makeTestImage(fixtures, { w: 160, h: 90, color: 'yellow' }), token);
    const id = await createProject(s, twoClips(good.ref, good.ref), token);
    const a = await connect(s, token);
    const sessionId = (await openSession(a, id)).sessionId as string;
    await a.request({
      type: 'params.update',
      sessionId,
      changes: [{ path: 'tracks[0].clips[0].src', value: lost.ref }],
    });

    // The file behind the asset disappears (a broken disk, say): renders of the first clip fail.
    const blob = await s.services.blobs.localPath(s.services.assets.get('alice', lost.id).hash);
    const bytes = readFileSync(blob);
    const { rmSync, writeFileSync } = await import('node:fs');
    rmSync(blob);
    let n = 0;
    const frame = (time: number) => a.frame({ sessionId, time, quality: 'preview', requestId: `b${++n}` });
    for (const time of [0.1, 0.2, 0.3]) {
      const f = await frame(time);
      expect(f).toMatchObject({ type: 'frame', degraded: { reason: expect.any(String) } });
      expect((f.degraded as { reason: string }).reason.length).toBeGreaterThan(5);
    }
    const open = await a.request({ type: 'stats' });
    expect(open).toMatchObject({ frames: { breaker: { state: 'open' } } });

    writeFileSync(blob, bytes);
    await new Promise((r) => setTimeout(r, 400));
    const back = await frame(0.4);
    expect(back, JSON.stringify(back)).toMatchObject({ type: 'frame' });
    expect(back).not.toHaveProperty('degraded');
    expect(await a.request({ type: 'stats' })).toMatchObject({ frames: { breaker: { state: 'closed' } } });
  });

  it('closes idle sessions and tells their members', async () => {
    const good = await upload(s, await makeTestImage(fixtures, { w: 160, h: 90, color: 'white' }), token);
    const id = await createProject(s, twoClips(good.ref, good.ref), token);
    const a = await connect(s, token);
    const sessionId = (await openSession(a, id)).sessionId as string;
    expect(await a.next((m) => m.type === 'session.closed', 5_000)).toMatchObject({
      sessionId,
      reason: 'idle',
    });
    expect(await a.request({ type: 'session.join', sessionId })).toMatchObject({
      code: 'PREVIEW_SESSION_NOT_FOUND',
    });
    expect(await a.request({ type: 'stats' })).toMatchObject({ sessions: { open: 0 } });
  });
});

describe('preview: rate limit and heartbeats', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({
      rateLimit: { perMinute: 0 },
      preview: { heartbeatMs: 100, rateLimit: { perMinute: 60, burst: 3 } },
    });
  });
  afterAll(() => s.close());

  it('limits messages per connection, and the connection stays usable', async () => {
    const c = await connect(s);
    for (let i = 0; i < 3; i++) expect(await c.request({ type: 'ping' })).toMatchObject({ type: 'pong' });
    expect(await c.request({ type: 'ping' })).toMatchObject({
      type: 'error',
      code: 'RATE_LIMITED',
      message: expect.stringContaining('try again in'),
    });
    // Another connection has its own budget.
    const other = await connect(s);
    expect(await other.request({ type: 'ping' })).toMatchObject({ type: 'pong' });
  });

  it('drops a client that stops answering pings', async () => {
    const url = s.wsUrl.replace(/\/ws$/, '/preview');
    const dead = await PreviewClient.open(url, { autoPong: false });
    clients.push(dead);
    const alive = await connect(s);
    const closed = await dead.closed;
    expect(closed.code).toBe(1006); // terminated, no close handshake
    expect(alive.socket.readyState).toBe(alive.socket.OPEN);
    expect(await alive.request({ type: 'stats' })).toMatchObject({ connections: 1 });
  });
});

describe('preview: idle prefetch', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ rateLimit: { perMinute: 0 }, preview: { prefetchDelayMs: 50 } });
  });
  afterAll(() => s.close());

  it('renders the neighbouring frames into the cache once the client pauses', async () => {
    const token = s.services.tokens.create({
      name: 'alice',
      owner: 'alice',
      scopes: ['read', 'write'],
    }).token;
    const image = await upload(
      s,
      await makeTestImage(fixtures, { w: 160, h: 90, pattern: 'testsrc2' }),
      token,
    );
    const id = await createProject(s, twoClips(image.ref, image.ref), token);
    const a = await connect(s, token);
    const sessionId = (await openSession(a, id)).sessionId as string;
    expect(await a.frame({ sessionId, time: 0.5, quality: 'preview', requestId: 'p0' })).toMatchObject({
      cacheHit: false,
    });
    // ±1 and ±2 frames and +1 s (−1 s is before the start): five more entries.
    for (let i = 0; i < 200; i++) {
      const stats = await a.request({ type: 'stats' });
      if ((stats.frames as { cache: { entries: number } }).cache.entries >= 6) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    for (const [n, time] of [0.6, 0.4, 0.7, 0.3, 1.5].entries()) {
      expect(await a.frame({ sessionId, time, quality: 'preview', requestId: `n${n}` })).toMatchObject({
        type: 'frame',
        cacheHit: true,
      });
    }
  });
});
