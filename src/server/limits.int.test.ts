import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestImage } from '../../test/helpers/media-fixtures.js';
import { tmpDir } from '../../test/helpers/paths.js';
import { startTestServer, type TestServer } from './test-support/test-server.js';
import { TestWsClient } from './test-support/ws-client.js';

const fixtures = join(tmpDir, 'server-fixtures');

const code = async (res: Response) => ((await res.json()) as { code: string }).code;

function textTimeline(clips: number) {
  return {
    output: { width: 64, height: 36 },
    tracks: [
      {
        clips: Array.from({ length: clips }, (_, i) => ({
          type: 'text',
          text: `caption ${i}`,
          start: i,
          duration: 1,
        })),
      },
    ],
  };
}

function allBlobs(dataDir: string): string[] {
  const root = join(dataDir, 'blobs', 'sha256');
  try {
    return readdirSync(root, { recursive: true })
      .map(String)
      .filter((n) => /[0-9a-f]{64}$/.test(n));
  } catch {
    return [];
  }
}

describe('server: limits on bodies, timelines and uploads', () => {
  let s: TestServer;
  let project: string;

  beforeAll(async () => {
    s = await startTestServer({
      limits: { bodyBytes: 2_048, timelineBytes: 4_096, uploadBytes: 4_096 },
      rateLimit: { perMinute: 0 },
    });
    project = (
      (await (await s.request('/projects', { method: 'POST', json: { name: 'p' } })).json()) as { id: string }
    ).id;
  });
  afterAll(() => s.close());

  it('refuses JSON bodies over the body limit (REQUEST_TOO_LARGE)', async () => {
    const res = await s.request(`/projects/${project}`, {
      method: 'PATCH',
      json: { description: 'x'.repeat(1_990) + 'y'.repeat(100) },
    });
    expect(res.status).toBe(413);
    expect(await code(res)).toBe('REQUEST_TOO_LARGE');
  });

  it('refuses timelines over the timeline limit, whether the body passes the parser or not (TIMELINE_TOO_LARGE)', async () => {
    const small = await s.request(`/projects/${project}/timeline`, {
      method: 'PUT',
      json: { baseVersion: 0, timeline: textTimeline(2) },
    });
    expect(small.status).toBe(200);
    const medium = await s.request(`/projects/${project}/timeline`, {
      method: 'PUT',
      json: { baseVersion: 1, timeline: textTimeline(150) },
    });
    expect(medium.status).toBe(413);
    expect(await code(medium)).toBe('TIMELINE_TOO_LARGE');
    const huge = await s.request('/renders', { method: 'POST', json: { timeline: textTimeline(3_000) } });
    expect(huge.status).toBe(413);
    expect(await code(huge)).toBe('TIMELINE_TOO_LARGE');
  });

  it('refuses uploads over the upload limit, multipart or raw, keeping nothing (UPLOAD_TOO_LARGE)', async () => {
    const big = Buffer.alloc(10_000, 7);
    const form = new FormData();
    form.append('file', new Blob([big]), 'big.png');
    const multipart = await s.request('/assets', { method: 'POST', body: form });
    expect(multipart.status).toBe(413);
    expect(await code(multipart)).toBe('UPLOAD_TOO_LARGE');
    const raw = await s.request('/assets?name=big.bin', {
      method: 'POST',
      body: big,
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect(raw.status).toBe(413);
    expect(await code(raw)).toBe('UPLOAD_TOO_LARGE');
    expect(allBlobs(s.dataDir)).toEqual([]);
    expect(readdirSync(join(s.dataDir, 'blobs', 'tmp'))).toEqual([]);
  });

  it('still serves within the limits', async () => {
    const png = readFileSync(await makeTestImage(fixtures, { w: 16, h: 16, color: 'white' }));
    expect(png.length).toBeLessThan(4_096);
    const ok = await s.request('/assets?name=small.png', {
      method: 'POST',
      body: png,
      headers: { 'content-type': 'image/png' },
    });
    expect(ok.status).toBe(201);
  });
});

describe('server: rate limit per token', () => {
  let s: TestServer;
  let other: string;

  beforeAll(async () => {
    s = await startTestServer({ rateLimit: { perMinute: 60, burst: 5 } });
    s.token = s.services.tokens.create({ name: 'a', owner: 'a', scopes: ['read'] }).token;
    other = s.services.tokens.create({ name: 'b', owner: 'b', scopes: ['read'] }).token;
  });
  afterAll(() => s.close());

  it('answers 429 with Retry-After once a token spent its burst; other tokens are unaffected', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await s.request('/me')).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    const limited = await s.request('/me');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await code(limited)).toBe('RATE_LIMITED');
    expect((await s.request('/me', { token: other })).status).toBe(200);
    expect((await s.request('/health')).status).toBe(200); // probes are not limited
  });

  it('counts failed authentication against the caller’s address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await s.request('/me', { token: 'rft_wrong' })).status);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.at(-1)).toBe(429);
  });
});

describe('server: a nearly full disk', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ limits: { minFreeDiskMb: 1_000_000_000 }, rateLimit: { perMinute: 0 } });
  });
  afterAll(() => s.close());

  it('refuses uploads and renders with STORAGE_FULL (507)', async () => {
    const upload = await s.request('/assets?name=x.png', {
      method: 'POST',
      body: Buffer.alloc(10),
      headers: { 'content-type': 'image/png' },
    });
    expect(upload.status).toBe(507);
    expect(await code(upload)).toBe('STORAGE_FULL');
    const render = await s.request('/renders', { method: 'POST', json: { timeline: textTimeline(1) } });
    expect(render.status).toBe(507);
  });
});

describe('server: WebSocket limits', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ limits: { wsSubscriptions: 2 }, rateLimit: { perMinute: 60, burst: 6 } });
  });
  afterAll(() => s.close());

  it('caps topics per connection and messages per connection, answering with errors, not hanging up', async () => {
    const c = await TestWsClient.open(s.wsUrl);
    try {
      await c.next((m) => m.type === 'hello');
      expect(await c.request({ type: 'subscribe', topic: 'jobs' })).toMatchObject({ type: 'subscribed' });
      expect(await c.request({ type: 'subscribe', topic: 'job:r_0000000000000001' })).toMatchObject({
        code: 'JOB_NOT_FOUND',
      });
      const p = (
        (await (await s.request('/projects', { method: 'POST', json: { name: 'p' } })).json()) as {
          id: string;
        }
      ).id;
      expect(await c.request({ type: 'subscribe', topic: `project:${p}` })).toMatchObject({
        type: 'subscribed',
      });
      const third = await c.request({ type: 'subscribe', topic: 'job:r_0000000000000002' });
      expect(third).toMatchObject({ type: 'error', code: 'WS_MESSAGE_INVALID' });
      expect(String(third.message)).toContain('at most 2');
      let limited = false;
      for (let i = 0; i < 5 && !limited; i++)
        limited = (await c.request({ type: 'ping' })).code === 'RATE_LIMITED';
      expect(limited).toBe(true);
      expect(c.socket.readyState).toBe(c.socket.OPEN);
    } finally {
      await c.close();
    }
  });
});
