import { readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestVideo } from '../../test/helpers/media-fixtures.js';
import { tmpDir } from '../../test/helpers/paths.js';
import { PreviewClient } from '../preview/session/test-support/preview-client.js';
import { startTestServer, type TestServer, uploadAsset } from './test-support/test-server.js';

/** Preview quality reads a video asset's proxy (made by asset processing); high reads the original. */
describe('preview: video proxies', () => {
  let s: TestServer;
  let token: string;

  beforeAll(async () => {
    s = await startTestServer({ rateLimit: { perMinute: 0 } }, { startJobs: true });
    token = s.services.tokens.create({ name: 'alice', owner: 'alice', scopes: ['read', 'write'] }).token;
  });
  afterAll(() => s.close());

  it('renders preview frames from the proxy once the original is gone, while high quality fails', async () => {
    const video = await makeTestVideo(join(tmpDir, 'preview-proxy'), { w: 320, h: 180, seconds: 2 });
    const asset = await uploadAsset(s, readFileSync(video), 'clip.mp4', { token });
    // Processing runs as a job; the proxy is one of its derivatives.
    let names: string[] = [];
    for (let i = 0; i < 600 && !names.includes('proxy.mp4'); i++) {
      const list = await s.request(`/assets/${asset.id}/derivatives`, { token });
      const body = (await list.json()) as { items: { name: string }[]; processing: { state: string } | null };
      expect(body.processing?.state).not.toBe('failed');
      names = body.items.map((d) => d.name);
      if (!names.includes('proxy.mp4')) await new Promise((r) => setTimeout(r, 100));
    }
    expect(names).toContain('proxy.mp4');

    const timeline = {
      output: { width: 320, height: 180, fps: 10, duration: 2 },
      tracks: [{ clips: [{ type: 'video', src: asset.ref, start: 0 }] }],
    };
    const created = await s.request('/projects', { method: 'POST', json: { name: 'p', timeline }, token });
    const projectId = ((await created.json()) as { id: string }).id;
    const c = await PreviewClient.open(s.wsUrl.replace(/\/ws$/, '/preview'), {
      headers: { authorization: `Bearer ${token}` },
    });
    try {
      await c.next((m) => m.type === 'hello');
      const session = await c.request({ type: 'session.create', projectId });
      const sessionId = session.sessionId as string;
      // Without the original, only the proxy can supply pictures.
      unlinkSync(await s.services.blobs.localPath(asset.hash));
      const preview = await c.frame({ sessionId, time: 0.5, quality: 'preview', requestId: 'p' });
      expect(preview).toMatchObject({ type: 'frame', quality: 'preview' });
      expect(preview).not.toHaveProperty('degraded');
      const high = await c.frame({ sessionId, time: 0.5, quality: 'high', requestId: 'h' });
      expect(high).toMatchObject({ type: 'frame', degraded: { reason: expect.any(String) } });
    } finally {
      await c.close();
    }
  });
});
