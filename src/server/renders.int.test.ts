import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestAudio, makeTestImage } from '../../test/helpers/media-fixtures.js';
import { tmpDir } from '../../test/helpers/paths.js';
import { findFfmpeg, probe } from '../media/index.js';
import { startTestServer, type TestServer } from './test-support/test-server.js';

const fixtures = join(tmpDir, 'server-fixtures');

interface RenderJson {
  id: string;
  state: string;
  percent: number | null;
  steps: Array<{ name: string; state: string }>;
  output: { url: string; bytes: number; hash: string } | null;
  error: { code: string } | null;
  result: { width: number; height: number; frames: number } | null;
}

const tinyTimeline = (image: string, audio?: string, format = 'mp4') => ({
  output: { width: 64, height: 36, fps: 10, format, profile: 'economy' },
  tracks: [
    { clips: [{ type: 'image', src: image, start: 0, duration: 1 }] },
    ...(audio ? [{ clips: [{ type: 'audio', src: audio, start: 0, duration: 1 }] }] : []),
  ],
});

async function uploadFile(
  s: TestServer,
  path: string,
  name: string,
  token?: string,
): Promise<{ id: string; ref: string }> {
  const res = await s.request(`/assets?name=${name}`, {
    method: 'POST',
    body: readFileSync(path),
    headers: { 'content-type': 'application/octet-stream' },
    token,
  });
  return (await res.json()) as { id: string; ref: string };
}

async function until(s: TestServer, id: string, done: (r: RenderJson) => boolean): Promise<RenderJson> {
  for (let i = 0; i < 600; i++) {
    const r = (await (await s.request(`/renders/${id}`)).json()) as RenderJson;
    if (done(r)) return r;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`render ${id} did not get there`);
}

describe('server: renders as jobs', () => {
  let s: TestServer;
  let image: { id: string; ref: string };
  let audio: { id: string; ref: string };

  beforeAll(async () => {
    s = await startTestServer({ rateLimit: { perMinute: 0 } }, { startJobs: true });
    s.token = s.services.tokens.create({
      name: 'alice',
      owner: 'alice',
      scopes: ['read', 'write', 'render'],
    }).token;
    image = await uploadFile(s, await makeTestImage(fixtures, { w: 64, h: 36, color: 'green' }), 'green.png');
    audio = await uploadFile(s, await makeTestAudio(fixtures, { seconds: 1, freq: 330 }), 'tone.wav');
  });
  afterAll(() => s.close());

  it('renders a project version to an MP4 that downloads whole and by range', async () => {
    const project = (await (
      await s.request('/projects', {
        method: 'POST',
        json: { name: 'Tiny', timeline: tinyTimeline(image.ref, audio.ref) },
      })
    ).json()) as { id: string };
    const started = await s.request('/renders', { method: 'POST', json: { projectId: project.id } });
    expect(started.status).toBe(202);
    const render = (await started.json()) as RenderJson & { projectVersion: number };
    expect(render).toMatchObject({ projectVersion: 1, output: null });
    const done = await until(s, render.id, (r) => ['completed', 'failed', 'cancelled'].includes(r.state));
    expect(done.error).toBeNull();
    expect(done.state).toBe('completed');
    expect(done.steps.map((st) => [st.name, st.state])).toEqual([
      ['prepare', 'done'],
      ['audio', 'done'],
      ['video', 'done'],
      ['finalize', 'done'],
      ['store', 'done'],
    ]);
    expect(done.result).toMatchObject({ width: 64, height: 36, frames: 10 });
    const file = await s.request(done.output!.url);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('video/mp4');
    const bytes = Buffer.from(await file.arrayBuffer());
    expect(bytes.length).toBe(done.output!.bytes);
    const part = await s.request(done.output!.url, { headers: { range: 'bytes=4-11' } });
    expect(Buffer.from(await part.arrayBuffer()).toString('latin1')).toBe('ftypisom'.slice(0, 8));
    const path = join(fixtures, `render-${render.id}.mp4`);
    writeFileSync(path, bytes);
    const info = await probe(await findFfmpeg(), path);
    expect(info.video).toMatchObject({ width: 64, height: 36 });
    expect(info.audio).not.toBeNull();
    const listed = (await (await s.request(`/renders?projectId=${project.id}`)).json()) as {
      items: RenderJson[];
    };
    expect(listed.items.map((r) => r.id)).toEqual([render.id]);
    expect(readdirSync(join(s.dataDir, 'scratch', 'renders'))).toEqual([]); // working files gone
  });

  it('renders an inline timeline', async () => {
    const started = await s.request('/renders', {
      method: 'POST',
      json: { timeline: tinyTimeline(image.ref), output: { scale: 0.5 } },
    });
    expect(started.status).toBe(202);
    const done = await until(
      s,
      ((await started.json()) as RenderJson).id,
      (r) => r.state !== 'queued' && r.state !== 'active',
    );
    expect(done.state).toBe('completed');
    expect(done.result).toMatchObject({ width: 32, height: 18 });
  });

  it('stops a running render when cancelled, leaving no output and no working files', async () => {
    const long = {
      output: { width: 64, height: 36, fps: 30, profile: 'economy' },
      tracks: [
        {
          clips: [
            {
              type: 'image',
              src: image.ref,
              start: 0,
              duration: 600,
              camera: { from: { zoom: 1 }, to: { zoom: 2 } },
            },
          ],
        },
      ],
    };
    const render = (await (
      await s.request('/renders', { method: 'POST', json: { timeline: long } })
    ).json()) as RenderJson;
    await until(s, render.id, (r) => r.steps.some((st) => st.name === 'video' && st.state === 'running'));
    expect((await s.request(`/renders/${render.id}/cancel`, { method: 'POST' })).status).toBe(202);
    const done = await until(s, render.id, (r) => r.state === 'cancelled');
    expect(done.output).toBeNull();
    expect((await s.request(`/renders/${render.id}/output`)).status).toBe(409);
    for (let i = 0; i < 100 && readdirSync(join(s.dataDir, 'scratch', 'renders')).length > 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(readdirSync(join(s.dataDir, 'scratch', 'renders'))).toEqual([]);
    expect(s.services.renderRecords.getAny(render.id)?.outputHash).toBeNull();
  });

  it('refuses what it cannot render before queueing anything', async () => {
    const folder = await s.request('/renders', {
      method: 'POST',
      json: { timeline: tinyTimeline(image.ref, undefined, 'png-sequence') },
    });
    expect(folder.status).toBe(400);
    const both = await s.request('/renders', {
      method: 'POST',
      json: { projectId: 'p_0000000000000000', timeline: tinyTimeline(image.ref) },
    });
    expect(both.status).toBe(400);
    const paths = await s.request('/renders', {
      method: 'POST',
      json: { timeline: tinyTimeline('/etc/hostname') },
    });
    expect(paths.status).toBe(422);
    expect(((await paths.json()) as { code: string }).code).toBe('ASSET_REF_INVALID');
    const missing = await s.request('/renders', {
      method: 'POST',
      json: { projectId: 'p_0000000000000000' },
    });
    expect(missing.status).toBe(404);
    const empty = (await (
      await s.request('/projects', { method: 'POST', json: { name: 'empty' } })
    ).json()) as { id: string };
    const noTimeline = await s.request('/renders', { method: 'POST', json: { projectId: empty.id } });
    expect(((await noTimeline.json()) as { code: string }).code).toBe('PROJECT_VERSION_NOT_FOUND');
  });
});

describe('server: render lifecycle without a worker', () => {
  let s: TestServer;
  let image: { id: string; ref: string };
  let bob: string;
  let admin: string;

  beforeAll(async () => {
    s = await startTestServer({ rateLimit: { perMinute: 0 } });
    s.token = s.services.tokens.create({
      name: 'alice',
      owner: 'alice',
      scopes: ['read', 'write', 'render'],
    }).token;
    bob = s.services.tokens.create({ name: 'bob', owner: 'bob', scopes: ['read', 'write', 'render'] }).token;
    admin = s.services.tokens.create({ name: 'ops', owner: 'ops', scopes: ['admin'] }).token;
    image = await uploadFile(s, await makeTestImage(fixtures, { w: 64, h: 36, color: 'green' }), 'green.png');
  });
  afterAll(() => s.close());

  it('queues, holds its assets, answers RENDER_NOT_READY, cancels, then lets the assets go', async () => {
    const render = (await (
      await s.request('/renders', { method: 'POST', json: { timeline: tinyTimeline(image.ref) } })
    ).json()) as RenderJson;
    expect(render.state).toBe('queued');
    const early = await s.request(`/renders/${render.id}/output`);
    expect(early.status).toBe(409);
    expect(((await early.json()) as { code: string }).code).toBe('RENDER_NOT_READY');
    const held = await s.request(`/assets/${image.id}`, { method: 'DELETE' });
    expect(held.status).toBe(409);
    expect(await held.json()).toMatchObject({ code: 'ASSET_IN_USE', details: { renders: [render.id] } });
    const cancelled = await s.request(`/renders/${render.id}/cancel`, { method: 'POST' });
    expect(cancelled.status).toBe(202);
    expect(((await cancelled.json()) as RenderJson).state).toBe('cancelled');
    expect((await s.request(`/assets/${image.id}`, { method: 'DELETE' })).status).toBe(204);
  });

  it('shows every job to admin tokens only; an owner reads the jobs of their own renders', async () => {
    const img = await uploadFile(
      s,
      await makeTestImage(fixtures, { w: 64, h: 36, color: 'yellow' }),
      'y.png',
    );
    const render = (await (
      await s.request('/renders', { method: 'POST', json: { timeline: tinyTimeline(img.ref) } })
    ).json()) as RenderJson;
    const all = await s.request('/jobs', { token: admin });
    expect(all.status).toBe(200);
    expect(((await all.json()) as { jobs: Array<{ id: string }> }).jobs.map((j) => j.id)).toContain(
      render.id,
    );
    expect((await s.request('/jobs')).status).toBe(403);
    expect((await s.request(`/jobs/${render.id}`)).status).toBe(200);
    expect((await s.request(`/jobs/${render.id}`, { token: bob })).status).toBe(404);
    expect((await s.request(`/renders/${render.id}`, { token: bob })).status).toBe(404);
    expect((await s.request(`/renders/${render.id}/cancel`, { method: 'POST', token: bob })).status).toBe(
      404,
    );
    expect((await s.request('/jobs/stats', { token: admin })).status).toBe(200);
    const cancelled = await s.request(`/jobs/${render.id}/cancel`, { method: 'POST', token: admin });
    expect(((await cancelled.json()) as { state: string }).state).toBe('cancelled');
  });
});
