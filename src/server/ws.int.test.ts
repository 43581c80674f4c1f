import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ClientOptions } from 'ws';
import { startTestServer, type TestServer } from './test-support/test-server.js';
import { TestWsClient } from './test-support/ws-client.js';

const clients: TestWsClient[] = [];
async function open(url: string, options?: ClientOptions) {
  const c = await TestWsClient.open(url, options);
  clients.push(c);
  return c;
}
afterEach(async () => {
  for (const c of clients.splice(0)) if (c.socket.readyState === c.socket.OPEN) await c.close();
});

const tinyTimeline = (text: string) => ({
  output: { width: 64, height: 36, fps: 10 },
  tracks: [{ clips: [{ type: 'text', text, start: 0, duration: 1 }] }],
});

describe('server: WebSocket on an open server', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ ws: { heartbeatMs: 100 } });
  });
  afterAll(() => s.close());

  it('greets, authenticated as the local user, and answers pings', async () => {
    const c = await open(s.wsUrl);
    expect(await c.next()).toMatchObject({ type: 'hello', authenticated: true, heartbeatMs: 100 });
    expect(await c.request({ type: 'ping' }, 'p1')).toEqual({ type: 'pong', id: 'p1' });
  });

  it('answers malformed messages with an error and keeps the connection', async () => {
    const c = await open(s.wsUrl);
    await c.next((m) => m.type === 'hello');
    c.send('{not json');
    expect(await c.next()).toMatchObject({
      type: 'error',
      code: 'WS_MESSAGE_INVALID',
      message: 'the message is not JSON',
    });
    c.send({ type: 'launch', id: 'x1' });
    expect(await c.next()).toMatchObject({ type: 'error', code: 'WS_MESSAGE_INVALID', id: 'x1' });
    c.send({ type: 'subscribe', topic: '../../etc', id: 'x2' });
    const badTopic = await c.next();
    expect(badTopic).toMatchObject({ type: 'error', code: 'WS_MESSAGE_INVALID', id: 'x2' });
    expect(JSON.stringify(badTopic.details)).toContain('topic');
    c.send({ type: 'ping', extra: true });
    expect(await c.next()).toMatchObject({ type: 'error', code: 'WS_MESSAGE_INVALID' });
    c.socket.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(await c.next()).toMatchObject({ type: 'error', code: 'WS_MESSAGE_INVALID' });
    c.send([1, 2]);
    expect(await c.next()).toMatchObject({ type: 'error', code: 'WS_MESSAGE_INVALID' });
    expect(await c.request({ type: 'ping' })).toMatchObject({ type: 'pong' });
  });

  it('sends project changes and job events to subscribers', async () => {
    const project = (await (
      await s.request('/projects', { method: 'POST', json: { name: 'Live', timeline: tinyTimeline('a') } })
    ).json()) as {
      id: string;
    };
    const c = await open(s.wsUrl);
    const sub = await c.request({ type: 'subscribe', topic: `project:${project.id}` });
    expect(sub).toMatchObject({
      type: 'subscribed',
      topic: `project:${project.id}`,
      snapshot: { version: 1 },
    });
    await s.request(`/projects/${project.id}/timeline`, {
      method: 'PUT',
      json: { baseVersion: 1, timeline: tinyTimeline('b') },
    });
    const updated = await c.next((m) => m.type === 'event');
    expect(updated).toMatchObject({
      topic: `project:${project.id}`,
      event: { type: 'project.updated', projectId: project.id, version: 2 },
    });
    expect(updated.event).not.toHaveProperty('owner');

    // No worker runs here: the render waits in the queue until cancelled.
    const render = (await (
      await s.request('/renders', { method: 'POST', json: { projectId: project.id } })
    ).json()) as { id: string };
    const job = await c.request({ type: 'subscribe', topic: `job:${render.id}` });
    expect(job).toMatchObject({ type: 'subscribed', snapshot: { state: 'queued' } });
    await s.request(`/renders/${render.id}/cancel`, { method: 'POST' });
    const viaJob = await c.next(
      (m) => m.type === 'event' && m.topic === `job:${render.id}` && m.event?.type === 'job.cancelled',
    );
    expect(viaJob.event).toMatchObject({ jobId: render.id, jobType: 'render' });
    // The project topic carries its renders' events too.
    await c.next(
      (m) => m.type === 'event' && m.topic === `project:${project.id}` && m.event?.type === 'job.cancelled',
    );
    expect(await c.request({ type: 'unsubscribe', topic: `job:${render.id}` })).toMatchObject({
      type: 'unsubscribed',
    });
  });

  it('forgets a client that disconnects', async () => {
    const c = await open(s.wsUrl);
    await c.request({ type: 'subscribe', topic: 'jobs' });
    const before = s.app.hub.size;
    await c.close();
    for (let i = 0; i < 50 && s.app.hub.size >= before; i++) await new Promise((r) => setTimeout(r, 20));
    expect(s.app.hub.size).toBe(before - 1);
  });

  it('keeps answering clients alive across heartbeats and drops one that stops answering pings', async () => {
    const good = await open(s.wsUrl);
    const silent = await open(s.wsUrl, { autoPong: false });
    const closed = await silent.closed;
    expect(closed.code).toBe(1006); // terminated: no pong to the previous ping
    expect(good.socket.readyState).toBe(good.socket.OPEN);
    expect(await good.request({ type: 'ping' })).toMatchObject({ type: 'pong' });
  });

  it('closes a frame larger than the message limit without harming the server', async () => {
    const c = await open(s.wsUrl);
    await c.next((m) => m.type === 'hello');
    c.send({ type: 'ping', id: 'x'.repeat(100_000) });
    expect((await c.closed).code).toBe(1009);
    const again = await open(s.wsUrl);
    expect(await again.request({ type: 'ping' })).toMatchObject({ type: 'pong' });
  });
});

describe('server: WebSocket with tokens', () => {
  let s: TestServer;
  let alice: string;
  let bob: string;
  let aliceProject: string;

  beforeAll(async () => {
    s = await startTestServer({ ws: { authTimeoutMs: 300 } });
    alice = s.services.tokens.create({ name: 'alice', owner: 'alice', scopes: ['read', 'write'] }).token;
    bob = s.services.tokens.create({ name: 'bob', owner: 'bob', scopes: ['read'] }).token;
    const res = await s.request('/projects', { method: 'POST', json: { name: 'A' }, token: alice });
    aliceProject = ((await res.json()) as { id: string }).id;
  });
  afterAll(() => s.close());

  it('needs an auth message first, refuses bad tokens without hanging up, then serves the owner', async () => {
    const c = await open(s.wsUrl);
    expect(await c.next()).toMatchObject({ type: 'hello', authenticated: false });
    expect(await c.request({ type: 'subscribe', topic: `project:${aliceProject}` })).toMatchObject({
      code: 'AUTH_REQUIRED',
    });
    expect(await c.request({ type: 'auth', token: 'rft_nope' })).toMatchObject({
      type: 'error',
      code: 'AUTH_INVALID',
    });
    expect(await c.request({ type: 'auth', token: alice })).toMatchObject({
      type: 'authenticated',
      owner: 'alice',
    });
    expect(await c.request({ type: 'subscribe', topic: `project:${aliceProject}` })).toMatchObject({
      type: 'subscribed',
    });
  });

  it('accepts a bearer token on the upgrade request', async () => {
    const c = await open(s.wsUrl, { headers: { authorization: `Bearer ${alice}` } });
    expect(await c.next()).toMatchObject({ type: 'hello', authenticated: true });
  });

  it('hides other owners’ projects and jobs, and the all-jobs topic from non-admins', async () => {
    const c = await open(s.wsUrl, { headers: { authorization: `Bearer ${bob}` } });
    expect(await c.request({ type: 'subscribe', topic: `project:${aliceProject}` })).toMatchObject({
      code: 'PROJECT_NOT_FOUND',
    });
    expect(await c.request({ type: 'subscribe', topic: 'job:r_0000000000000000' })).toMatchObject({
      code: 'JOB_NOT_FOUND',
    });
    expect(await c.request({ type: 'subscribe', topic: 'jobs' })).toMatchObject({ code: 'AUTH_FORBIDDEN' });
  });

  it('closes connections that do not authenticate in time', async () => {
    const c = await open(s.wsUrl);
    expect((await c.closed).code).toBe(4401);
  });
});

describe('server: WebSocket at shutdown', () => {
  it('tells clients the server is going away (1001)', async () => {
    const s = await startTestServer();
    const c = await TestWsClient.open(s.wsUrl);
    await c.next((m) => m.type === 'hello');
    await s.close();
    expect((await c.closed).code).toBe(1001);
  });
});
