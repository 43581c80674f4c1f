import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './test-support/test-server.js';

/** A raw request, for headers fetch will not let us set (Host). */
function rawGet(
  url: string,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}${path}`, { headers }, (res) => {
      let body = '';
      res.on('data', (c) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('server: health, readiness, API description, errors', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(() => s.close());

  it('answers /health', async () => {
    const res = await s.request('/health');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok' });
  });

  it('reports every readiness check on /ready', async () => {
    const res = await s.request('/ready');
    const body = (await res.json()) as { status: string; checks: Array<{ name: string; ok: boolean }> };
    expect(res.status).toBe(200);
    expect(body.checks.map((c) => [c.name, c.ok])).toEqual([
      ['database', true],
      ['disk', true],
      ['ffmpeg', true],
      ['queue', true],
    ]);
  });

  it('serves an OpenAPI 3.1 document at /openapi.json and the browsable docs at /docs', async () => {
    const res = await s.request('/openapi.json');
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/health',
        '/ready',
        '/me',
        '/assets',
        '/assets/{id}/content',
        '/projects',
        '/projects/{id}/timeline',
        '/renders',
        '/renders/{id}/output',
        '/jobs',
      ]),
    );
    const save = (
      doc.paths['/projects/{id}/timeline'] as {
        put: { requestBody: unknown; responses: Record<string, unknown> };
      }
    ).put;
    expect(JSON.stringify(save.requestBody)).toContain('baseVersion');
    expect(Object.keys(save.responses)).toEqual(expect.arrayContaining(['200', '409', '422']));
    const docs = await s.request('/docs/');
    expect(docs.status).toBe(200);
    expect(docs.headers.get('content-type')).toContain('text/html');
  });

  it('serves the timeline JSON Schema', async () => {
    const res = await s.request('/schemas/timeline.json');
    expect(res.status).toBe(200);
    expect(((await res.json()) as { $id: string }).$id).toContain('timeline');
  });

  it('answers unknown routes with a problem+json 404 carrying its code', async () => {
    const res = await s.request('/no/such/thing?x=1');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(await res.json()).toMatchObject({
      status: 404,
      code: 'ROUTE_NOT_FOUND',
      type: 'urn:reelforge:error:ROUTE_NOT_FOUND',
      instance: '/no/such/thing',
    });
  });

  it('runs open for the local user on loopback without tokens', async () => {
    const res = await s.request('/me');
    expect(await res.json()).toEqual({
      owner: 'local',
      scopes: ['read', 'write', 'render', 'admin'],
      tokenId: null,
      open: true,
    });
  });

  it('refuses open access for requests addressed to another host name or from a foreign page', async () => {
    const rebinding = await rawGet(s.url, '/me', { host: 'evil.example:7420' });
    expect(rebinding.status).toBe(401);
    expect(JSON.parse(rebinding.body)).toMatchObject({ code: 'AUTH_REQUIRED' });
    const foreign = await s.request('/me', { headers: { origin: 'https://evil.example' } });
    expect(foreign.status).toBe(401);
    const local = await s.request('/me', { headers: { origin: 'http://localhost:5173' } });
    expect(local.status).toBe(200);
  });
});

describe('server: readiness failures', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ limits: { minFreeDiskMb: 1_000_000_000 } });
  });
  afterAll(() => s.close());

  it('answers 503 problem+json naming the failing check', async () => {
    const res = await s.request('/ready');
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const body = (await res.json()) as {
      code: string;
      detail: string;
      checks: Array<{ name: string; ok: boolean }>;
    };
    expect(body.code).toBe('SERVER_NOT_READY');
    expect(body.detail).toContain('disk');
    expect(body.checks.find((c) => c.name === 'disk')?.ok).toBe(false);
    expect(body.checks.find((c) => c.name === 'database')?.ok).toBe(true);
  });
});
