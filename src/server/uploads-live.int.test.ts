import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeNoiseVideo, makeTestAudio } from '../../test/helpers/media-fixtures.js';
import { makeTempDir } from '../../test/helpers/paths.js';
import { createServices } from '../app.js';
import { loadConfig } from '../config/load-config.js';
import type { ConfigInput } from '../config/schema.js';
import { silentLogger } from '../log.js';
import { buildApp } from './build-app.js';
import { TestWsClient } from './test-support/ws-client.js';

/** A server on port 0 with its own `ingest` settings (the shared test server takes only `server`). */
async function startUploadServer(ingest: ConfigInput['ingest'] = {}, reuse?: { dataDir: string }) {
  const dataDir = reuse?.dataDir ?? makeTempDir('uploads-live');
  const config = loadConfig({
    dataDir,
    log: { level: 'silent' },
    server: { host: '127.0.0.1', port: 0 },
    jobs: { pollMs: 50, shutdownGraceMs: 0 },
    ingest,
  });
  const services = await createServices(config, { log: silentLogger() });
  await services.uploads.recovered;
  const app = await buildApp(services);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const url = `http://127.0.0.1:${port}`;
  const token = services.tokens.create({ name: 'alice', owner: 'alice', scopes: ['read', 'write'] }).token;
  const request = (path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${token}`);
    return fetch(`${url}${path}`, { ...init, headers });
  };
  return {
    services,
    url,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    token,
    request,
    dataDir,
    /** Stops the server; `keepData` leaves the data folder for a restart. */
    async close(keepData = false) {
      await app.close();
      await services.close();
      if (!keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
type UploadServer = Awaited<ReturnType<typeof startUploadServer>>;

const tus = { 'tus-resumable': '1.0.0' };

async function create(s: UploadServer, length: number, filename: string, filetype: string) {
  const meta = `filename ${Buffer.from(filename).toString('base64')},filetype ${Buffer.from(filetype).toString('base64')}`;
  const res = await s.request('/uploads', {
    method: 'POST',
    headers: { ...tus, 'upload-length': String(length), 'upload-metadata': meta },
  });
  return { status: res.status, body: await res.text(), location: res.headers.get('location') ?? '' };
}

async function patch(s: UploadServer, location: string, offset: number, body: Buffer) {
  const res = await s.request(location, {
    method: 'PATCH',
    headers: { ...tus, 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream' },
    body,
  });
  return { status: res.status, body: await res.text(), headers: res.headers };
}

describe('uploads: early preview, progress events, quota, expiry', () => {
  let media: string;
  let s: UploadServer | null = null;

  beforeAll(() => {
    media = makeTempDir('uploads-live-media');
  });
  afterEach(async () => {
    await s?.close();
    s = null;
  });

  it('serves a poster frame of a faststart MP4 before the upload has finished, and reports it over the WebSocket', async () => {
    s = await startUploadServer({ previewEveryBytes: 64 * 1024, progressIntervalMs: 0 });
    // Noise compresses badly: a few MB from a short clip, with the index (moov) at the front.
    const file = await makeNoiseVideo(media, { seconds: 4 });
    const bytes = readFileSync(file);
    expect(bytes.length).toBeGreaterThan(1_000_000);
    const c = await create(s, bytes.length, 'clip.mp4', 'video/mp4');
    expect(c.status).toBe(201);
    const id = c.location.split('/').pop()!;

    const ws = await TestWsClient.open(s.wsUrl, { headers: { authorization: `Bearer ${s.token}` } });
    const sub = await ws.request({ type: 'subscribe', topic: `upload:${id}` });
    expect(sub).toMatchObject({ type: 'subscribed', snapshot: { stage: 'uploading', offset: 0 } });

    const part = Math.floor(bytes.length * 0.25);
    expect((await patch(s, c.location, 0, bytes.subarray(0, part))).status).toBe(204);
    const previewing = await ws.next(
      (m) => (m.event as { stage?: string } | undefined)?.stage === 'previewing',
    );
    const url = (previewing.event as unknown as { previewUrl: string }).previewUrl;
    expect(url).toBe(`/uploads/${id}/preview`);
    const preview = await s.request(url);
    expect(preview.status).toBe(200);
    expect(preview.headers.get('content-type')).toBe('image/jpeg');
    const jpeg = Buffer.from(await preview.arrayBuffer());
    expect(jpeg.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    const status = (await (await s.request(`/uploads/${id}`)).json()) as { percent: number; stage: string };
    expect(status.percent).toBeLessThan(100);

    const done = await patch(s, c.location, part, bytes.subarray(part));
    expect(done.status).toBe(204);
    const assetId = done.headers.get('reelforge-asset-id');
    expect(assetId).toMatch(/^a_[0-9a-z]{16}$/);
    const complete = await ws.next((m) => (m.event as { stage?: string } | undefined)?.stage === 'complete');
    expect(complete.event).toMatchObject({ assetId, percent: 100, previewUrl: url });
    const stages = ws.messages.flatMap((m) =>
      m.type === 'event' ? [(m.event as unknown as { stage: string }).stage] : [],
    );
    expect(stages).toEqual(
      expect.arrayContaining(['uploading', 'previewing', 'analysing', 'optimising', 'complete']),
    );
    await ws.close();
    expect(done.headers.get('reelforge-content-hash')).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  it('previews an image from the part of it that has arrived', async () => {
    s = await startUploadServer({ previewEveryBytes: 64 * 1024, progressIntervalMs: 0 });
    const raw = Buffer.alloc(1600 * 1200 * 3);
    for (let i = 0; i < raw.length; i++) raw[i] = (i * 7919) % 251;
    const jpeg = await sharp(raw, { raw: { width: 1600, height: 1200, channels: 3 } })
      .jpeg()
      .toBuffer();
    const c = await create(s, jpeg.length, 'photo.jpg', 'image/jpeg');
    const id = c.location.split('/').pop()!;
    const ws = await TestWsClient.open(s.wsUrl, { headers: { authorization: `Bearer ${s.token}` } });
    await ws.request({ type: 'subscribe', topic: `upload:${id}` });
    expect((await patch(s, c.location, 0, jpeg.subarray(0, jpeg.length >> 1))).status).toBe(204);
    await ws.next((m) => (m.event as { stage?: string } | undefined)?.stage === 'previewing');
    const preview = await s.request(`/uploads/${id}/preview`);
    expect(preview.status).toBe(200);
    const meta = await sharp(Buffer.from(await preview.arrayBuffer())).metadata();
    expect(meta).toMatchObject({ format: 'jpeg', width: 320, height: 240 });
    await ws.close();
  });

  it('resumes after a server restart with the right SHA-256 (the stored prefix is hashed again)', async () => {
    const first = await startUploadServer();
    const bytes = readFileSync(await makeTestAudio(media, { seconds: 10 }));
    const c = await create(first, bytes.length, 'tone.wav', 'audio/wav');
    const half = bytes.length >> 1;
    expect((await patch(first, c.location, 0, bytes.subarray(0, half))).status).toBe(204);
    await first.close(true);

    s = await startUploadServer({}, { dataDir: first.dataDir });
    const head = await s.request(c.location, { method: 'HEAD', headers: tus });
    expect(head.headers.get('upload-offset')).toBe(String(half));
    const done = await patch(s, c.location, half, bytes.subarray(half));
    expect(done.status).toBe(204);
    expect(done.headers.get('reelforge-content-hash')).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  it('finishes, on start, an upload whose last byte arrived before the server stopped', async () => {
    const first = await startUploadServer();
    const bytes = readFileSync(await makeTestAudio(media, { seconds: 2 }));
    const c = await create(first, bytes.length, 'late.wav', 'audio/wav');
    const id = c.location.split('/').pop()!;
    await first.close(true);
    // What a crash between storing the last byte and completing would leave: the whole file, no asset.
    writeFileSync(join(first.dataDir, 'uploads', 'files', id), bytes);

    s = await startUploadServer({}, { dataDir: first.dataDir });
    const status = (await (await s.request(`/uploads/${id}`)).json()) as { stage: string; assetId: string };
    expect(status.stage).toBe('complete');
    const asset = (await (await s.request(`/assets/${status.assetId}`)).json()) as {
      hash: string;
      name: string;
    };
    expect(asset).toMatchObject({ name: 'late.wav', hash: createHash('sha256').update(bytes).digest('hex') });
  });

  it('has no early preview for an MP4 whose index is at the end', async () => {
    s = await startUploadServer({ previewEveryBytes: 64 * 1024 });
    const file = await makeNoiseVideo(media, { seconds: 2, faststart: false });
    const bytes = readFileSync(file);
    const c = await create(s, bytes.length, 'late.mp4', 'video/mp4');
    await patch(s, c.location, 0, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const id = c.location.split('/').pop()!;
    const res = await s.request(`/uploads/${id}/preview`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { code: string }).code).toBe('UPLOAD_PREVIEW_NOT_READY');
  });

  it('refuses an upload that would take the owner past the quota', async () => {
    s = await startUploadServer({ quotaBytes: 10_000 });
    const first = await create(s, 6_000, 'a.wav', 'audio/wav');
    expect(first.status).toBe(201);
    const second = await create(s, 6_000, 'b.wav', 'audio/wav');
    expect(second.status).toBe(413);
    expect(second.body).toMatch(/^UPLOAD_QUOTA_EXCEEDED: .*over the quota of 10000/);
  });

  it('deletes unfinished uploads once they expire', async () => {
    s = await startUploadServer({ expirationMs: 1_000 });
    const c = await create(s, 50_000, 'slow.wav', 'audio/wav');
    const wav = Buffer.alloc(1_000);
    wav.write('RIFF', 0, 'latin1');
    wav.write('WAVE', 8, 'latin1');
    const p = await patch(s, c.location, 0, wav);
    expect(p.status).toBe(204);
    expect(p.headers.get('upload-expires')).toBeTruthy();
    await new Promise((r) => setTimeout(r, 1_100));
    expect(await s.services.uploads.sweep()).toBe(1);
    expect((await s.request(c.location, { method: 'HEAD', headers: tus })).status).toBe(404);
  });
});
