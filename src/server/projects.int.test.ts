import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestImage } from '../../test/helpers/media-fixtures.js';
import { tmpDir } from '../../test/helpers/paths.js';
import { startTestServer, type TestServer } from './test-support/test-server.js';

const fixtures = join(tmpDir, 'server-fixtures');

interface ProjectJson {
  id: string;
  name: string;
  version: number;
  timeline?: unknown;
}

const timelineWith = (src: string, text = 'hello') => ({
  output: { width: 64, height: 36, fps: 10 },
  tracks: [
    { clips: [{ type: 'image', src, start: 0, duration: 1 }] },
    { clips: [{ type: 'text', text, start: 0, duration: 1 }] },
  ],
});

describe('server: projects and versioned timelines', () => {
  let s: TestServer;
  let imageRef: string;
  let imageId: string;
  let bob: string;
  let reader: string;

  const create = async (body: unknown) => {
    const res = await s.request('/projects', { method: 'POST', json: body });
    return { res, body: (await res.json()) as ProjectJson & { code?: string; details?: unknown } };
  };
  const save = (id: string, baseVersion: number, timeline: unknown, token?: string) =>
    s.request(`/projects/${id}/timeline`, { method: 'PUT', json: { baseVersion, timeline }, token });

  beforeAll(async () => {
    s = await startTestServer({ rateLimit: { perMinute: 0 } });
    s.token = s.services.tokens.create({ name: 'alice', owner: 'alice', scopes: ['read', 'write'] }).token;
    bob = s.services.tokens.create({ name: 'bob', owner: 'bob', scopes: ['read', 'write'] }).token;
    reader = s.services.tokens.create({ name: 'ro', owner: 'alice', scopes: ['read'] }).token;
    const png = readFileSync(await makeTestImage(fixtures, { w: 64, h: 36, color: 'blue' }));
    const res = await s.request('/assets?name=blue.png', {
      method: 'POST',
      body: png,
      headers: { 'content-type': 'image/png' },
    });
    const asset = (await res.json()) as { id: string; ref: string };
    imageId = asset.id;
    imageRef = asset.ref;
  });
  afterAll(() => s.close());

  it('creates a project without a timeline at version 0', async () => {
    const { res, body } = await create({ name: 'Empty' });
    expect(res.status).toBe(201);
    expect(body).toMatchObject({ name: 'Empty', version: 0 });
    const got = (await (await s.request(`/projects/${body.id}`)).json()) as ProjectJson;
    expect(got.timeline).toBeNull();
    const tl = await s.request(`/projects/${body.id}/timeline`);
    expect(tl.status).toBe(404);
    expect(((await tl.json()) as { code: string }).code).toBe('PROJECT_VERSION_NOT_FOUND');
  });

  it('keeps every save as a version and refuses a save based on an old one with 409 and the current version', async () => {
    const { body: p } = await create({
      name: 'Film',
      timeline: timelineWith(imageRef, 'v1'),
      message: 'first cut',
    });
    expect(p.version).toBe(1);
    const second = await save(p.id, 1, timelineWith(imageRef, 'v2'));
    expect(second.status).toBe(200);
    expect(((await second.json()) as ProjectJson).version).toBe(2);
    const stale = await save(p.id, 1, timelineWith(imageRef, 'stale'));
    expect(stale.status).toBe(409);
    expect(await stale.json()).toMatchObject({
      code: 'PROJECT_VERSION_CONFLICT',
      details: { baseVersion: 1, currentVersion: 2 },
    });
    const v1 = (await (await s.request(`/projects/${p.id}/timeline?version=1`)).json()) as {
      timeline: unknown;
      message: string;
    };
    expect(v1).toMatchObject({ version: 1, message: 'first cut', timeline: timelineWith(imageRef, 'v1') });
    const current = (await (await s.request(`/projects/${p.id}`)).json()) as ProjectJson;
    expect(current.timeline).toEqual(timelineWith(imageRef, 'v2'));
    const history = (await (await s.request(`/projects/${p.id}/versions`)).json()) as {
      items: Array<{ version: number }>;
      total: number;
    };
    expect(history.total).toBe(2);
    expect(history.items.map((v) => v.version)).toEqual([2, 1]);
  });

  it('lets exactly one of several saves on the same version win', async () => {
    const { body: p } = await create({ name: 'Race', timeline: timelineWith(imageRef) });
    const results = await Promise.all(
      [1, 2, 3, 4, 5].map((i) => save(p.id, 1, timelineWith(imageRef, `racer ${i}`))),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409, 409, 409]);
  });

  it('reports every timeline problem with its path (TIMELINE_INVALID)', async () => {
    const { res, body } = await create({
      name: 'Broken',
      timeline: {
        output: { width: 63, height: 36 },
        tracks: [{ clips: [{ type: 'image', src: imageRef, start: -1, duration: 1 }] }],
      },
    });
    expect(res.status).toBe(422);
    expect(body.code).toBe('TIMELINE_INVALID');
    const paths = (body.details as Array<{ path: string }>).map((d) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['output.width', 'tracks[0].clips[0].start']));
    const list = (await (await s.request('/projects?q=Broken')).json()) as { total: number };
    expect(list.total).toBe(0); // nothing half-created
  });

  it('accepts media only as asset:<id> of the owner’s own assets (ASSET_REF_INVALID)', async () => {
    for (const src of ['/etc/passwd', '../secret.png', 'file:///etc/passwd', 'asset:a_0000000000000000']) {
      const { res, body } = await create({ name: 'Paths', timeline: timelineWith(src) });
      expect(res.status, src).toBe(422);
      expect(body.code, src).toBe('ASSET_REF_INVALID');
      expect(body.details, src).toEqual([{ path: 'tracks[0].clips[0].src', message: expect.any(String) }]);
    }
    const theirs = await s.request('/projects', {
      method: 'POST',
      json: { name: 'x', timeline: timelineWith(imageRef) },
      token: bob,
    });
    expect(theirs.status).toBe(422);
  });

  it('keeps an asset used by a current timeline from being deleted', async () => {
    const { body: p } = await create({ name: 'Uses', timeline: timelineWith(imageRef) });
    const refused = await s.request(`/assets/${imageId}`, { method: 'DELETE' });
    expect(refused.status).toBe(409);
    const problem = (await refused.json()) as { code: string; details: { projects: string[] } };
    expect(problem.code).toBe('ASSET_IN_USE');
    expect(problem.details.projects).toContain(p.id);
  });

  it('renames, lists, searches and deletes', async () => {
    const { body: p } = await create({ name: 'Draft title' });
    const renamed = await s.request(`/projects/${p.id}`, {
      method: 'PATCH',
      json: { name: 'Final title', description: 'about' },
    });
    expect(await renamed.json()).toMatchObject({ name: 'Final title', description: 'about' });
    const found = (await (await s.request('/projects?q=final')).json()) as { items: ProjectJson[] };
    expect(found.items.map((x) => x.id)).toEqual([p.id]);
    expect((await s.request(`/projects/${p.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await s.request(`/projects/${p.id}`)).status).toBe(404);
  });

  it('hides a project from other owners (404) and refuses writes without the write scope (403)', async () => {
    const { body: p } = await create({ name: 'Alice only', timeline: timelineWith(imageRef) });
    for (const [method, path, json] of [
      ['GET', `/projects/${p.id}`, undefined],
      ['GET', `/projects/${p.id}/timeline`, undefined],
      ['GET', `/projects/${p.id}/versions`, undefined],
      ['PATCH', `/projects/${p.id}`, { name: 'mine now' }],
      ['PUT', `/projects/${p.id}/timeline`, { baseVersion: 1, timeline: timelineWith(imageRef) }],
      ['DELETE', `/projects/${p.id}`, undefined],
    ] as const) {
      const res = await s.request(path, { method, json, token: bob });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(((await res.json()) as { code: string }).code).toBe('PROJECT_NOT_FOUND');
    }
    const bobsList = (await (await s.request('/projects', { token: bob })).json()) as { total: number };
    expect(bobsList.total).toBe(0);
    expect((await s.request(`/projects/${p.id}`, { token: reader })).status).toBe(200);
    const write = await save(p.id, 1, timelineWith(imageRef), reader);
    expect(write.status).toBe(403);
    expect(
      (await s.request('/projects', { method: 'POST', json: { name: 'x' }, token: reader })).status,
    ).toBe(403);
  });

  it('refuses malformed requests with REQUEST_INVALID', async () => {
    const cases: Array<[string, RequestInit]> = [
      ['/projects', { method: 'POST', body: '{"name": ', headers: { 'content-type': 'application/json' } }],
      [
        '/projects',
        {
          method: 'POST',
          body: JSON.stringify({ name: '' }),
          headers: { 'content-type': 'application/json' },
        },
      ],
      [
        '/projects',
        {
          method: 'POST',
          body: JSON.stringify({ name: 'x', admin: true }),
          headers: { 'content-type': 'application/json' },
        },
      ],
      [
        '/projects',
        { method: 'POST', body: JSON.stringify(['x']), headers: { 'content-type': 'application/json' } },
      ],
      ['/projects?limit=100000', { method: 'GET' }],
      ['/projects/not-an-id', { method: 'GET' }],
    ];
    for (const [path, init] of cases) {
      const res = await s.request(path, init);
      expect(res.status, `${path} ${String(init.body)}`).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(((await res.json()) as { code: string }).code).toBe('REQUEST_INVALID');
    }
    const wrongType = await s.request('/projects', {
      method: 'POST',
      body: 'name=x',
      headers: { 'content-type': 'text/plain' },
    });
    expect(wrongType.status).toBe(415);
    expect(((await wrongType.json()) as { code: string }).code).toBe('REQUEST_MEDIA_TYPE');
  });
});
