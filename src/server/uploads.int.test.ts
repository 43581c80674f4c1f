import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeNoiseVideo, makeTestAudio, makeTestImage } from '../../test/helpers/media-fixtures.js';
import { makeTempDir } from '../../test/helpers/paths.js';
import { tusUpload } from '../ingest/upload/test-support/tus-client.js';
import { startTestServer, type TestServer } from './test-support/test-server.js';
import { TestWsClient } from './test-support/ws-client.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A tus creation request by hand: returns the status, body and Location. */
async function create(s: TestServer, length: number, metadata: Record<string, string>, token = s.token) {
  const meta = Object.entries(metadata)
    .map(([k, v]) => `${k} ${Buffer.from(v).toString('base64')}`)
    .join(',');
  const res = await s.request('/uploads', {
    method: 'POST',
    token,
    headers: { 'tus-resumable': '1.0.0', 'upload-length': String(length), 'upload-metadata': meta },
  });
  return { status: res.status, body: await res.text(), location: res.headers.get('location') };
}

async function patch(s: TestServer, location: string, offset: number, body: Buffer, token = s.token) {
  const res = await s.request(location, {
    method: 'PATCH',
    token,
    headers: {
      'tus-resumable': '1.0.0',
      'upload-offset': String(offset),
      'content-type': 'application/offset+octet-stream',
    },
    body,
  });
  return { status: res.status, body: await res.text(), headers: res.headers };
}

describe('resumable uploads (tus)', () => {
  let s: TestServer;
  let otherToken: string;
  let media: string;

  beforeAll(async () => {
    s = await startTestServer({}, {});
    s.token = s.services.tokens.create({ name: 'alice', owner: 'alice', scopes: ['read', 'write'] }).token;
    otherToken = s.services.tokens.create({ name: 'bob', owner: 'bob', scopes: ['read', 'write'] }).token;
    media = makeTempDir('uploads-media');
  });
  afterAll(() => s.close());

  const endpoint = () => `${s.url}/uploads`;
  const headers = (token = s.token) => ({ authorization: `Bearer ${token}` });

  it('uploads a file with tus-js-client and stores it as an asset with the same SHA-256', async () => {
    const file = readFileSync(await makeTestImage(media, { w: 160, h: 90, pattern: 'testsrc2' }));
    const r = await tusUpload(file, {
      endpoint: endpoint(),
      headers: headers(),
      metadata: { filename: 'frame.png', filetype: 'image/png' },
    });
    expect(r.hash).toBe(sha256(file));
    const asset = (await (await s.request(`/assets/${r.assetId}`)).json()) as Record<string, unknown>;
    expect(asset).toMatchObject({ kind: 'image', hash: sha256(file), bytes: file.length, name: 'frame.png' });
    const status = (await (await s.request(`/uploads/${r.url.split('/').pop()}`)).json()) as Record<
      string,
      unknown
    >;
    expect(status).toMatchObject({ stage: 'complete', assetId: r.assetId, percent: 100 });
  });

  it('refuses a ZIP archive declared as video/mp4, deletes it and says why', async () => {
    const zip = Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(2000, 7)]);
    const c = await create(s, zip.length, { filename: 'movie.mp4', filetype: 'video/mp4' });
    expect(c.status).toBe(201);
    const ws = await TestWsClient.open(s.wsUrl, { headers: headers() });
    await ws.request({ type: 'subscribe', topic: `upload:${c.location!.split('/').pop()}` });
    const p = await patch(s, c.location!, 0, zip);
    expect(p.status).toBe(415);
    expect(p.body).toContain('UPLOAD_REJECTED: declared video/mp4 but the content is a ZIP archive');
    const failed = await ws.next((m) => (m.event as { stage?: string } | undefined)?.stage === 'failed');
    expect(failed.event).toMatchObject({
      error: { code: 'UPLOAD_REJECTED', message: expect.stringContaining('the content is a ZIP archive') },
    });
    await ws.close();
    const head = await s.request(c.location!, { method: 'HEAD', headers: { 'tus-resumable': '1.0.0' } });
    expect(head.status).toBe(404);
  });

  it('refuses a PNG header declaring 100000×100000 pixels before the rest arrives', async () => {
    const png = Buffer.alloc(33);
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]).copy(png, 0);
    png.write('IHDR', 12, 'latin1');
    png.writeUInt32BE(100_000, 16);
    png.writeUInt32BE(100_000, 20);
    png.set([8, 2, 0, 0, 0], 24);
    const total = 50 * 1024 * 1024; // declared; only the header is ever sent
    const c = await create(s, total, { filename: 'bomb.png', filetype: 'image/png' });
    expect(c.status).toBe(201);
    const p = await patch(s, c.location!, 0, Buffer.concat([png, Buffer.alloc(4096)]));
    expect(p.status).toBe(413);
    expect(p.body).toMatch(/UPLOAD_REJECTED: the image declares 100000×100000 pixels/);
  });

  it('refuses an empty file and a declared length over the limit at creation', async () => {
    const empty = await create(s, 0, { filename: 'empty.png', filetype: 'image/png' });
    expect(empty.status).toBe(400);
    expect(empty.body).toContain('UPLOAD_REJECTED: the file is empty');
    const huge = await create(s, s.services.config.ingest.maxBytes + 1, { filename: 'huge.mp4' });
    expect(huge.status).toBe(413);
    expect(huge.body).toContain('UPLOAD_TOO_LARGE');
  });

  it('refuses a truncated MP4 on completion (ffprobe cannot read it) and deletes it', async () => {
    // Without faststart the index (moov) is at the end: cut it off and the file cannot be read.
    const out = await makeNoiseVideo(media, { w: 160, h: 90, seconds: 1, faststart: false, noise: 0 });
    const whole = readFileSync(out);
    const cut = whole.subarray(0, Math.floor(whole.length * 0.6));
    const c = await create(s, cut.length, { filename: 'cut.mp4', filetype: 'video/mp4' });
    const p = await patch(s, c.location!, 0, cut);
    expect(p.status).toBe(422);
    expect(p.body).toMatch(/UPLOAD_REJECTED: cut\.mp4: not an image, video or audio file/);
    const id = c.location!.split('/').pop();
    const status = (await (await s.request(`/uploads/${id}`)).json()) as Record<string, unknown>;
    expect(status).toMatchObject({ stage: 'failed', error: { code: 'UPLOAD_REJECTED' } });
  });

  it("keeps owners apart: bob cannot HEAD, PATCH, DELETE or follow alice's upload", async () => {
    const wav = readFileSync(await makeTestAudio(media, { seconds: 1 }));
    const c = await create(s, wav.length, { filename: 'tone.wav', filetype: 'audio/wav' });
    const loc = c.location!;
    const id = loc.split('/').pop()!;
    const tus = { 'tus-resumable': '1.0.0' };
    expect((await s.request(loc, { method: 'HEAD', headers: tus, token: otherToken })).status).toBe(404);
    expect((await patch(s, loc, 0, wav, otherToken)).status).toBe(404);
    expect((await s.request(loc, { method: 'DELETE', headers: tus, token: otherToken })).status).toBe(404);
    expect((await s.request(`/uploads/${id}`, { token: otherToken })).status).toBe(404);
    const ws = await TestWsClient.open(s.wsUrl, { headers: headers(otherToken) });
    const reply = await ws.request({ type: 'subscribe', topic: `upload:${id}` });
    expect(reply).toMatchObject({ type: 'error', code: 'UPLOAD_NOT_FOUND' });
    await ws.close();
    // alice still can
    expect((await s.request(loc, { method: 'HEAD', headers: tus })).status).toBe(200);
    expect((await s.request(loc, { method: 'DELETE', headers: tus })).status).toBe(204);
    expect((await s.request(loc, { method: 'HEAD', headers: tus })).status).toBe(404);
  });

  it('an upload cut mid-request and resumed is byte-identical', async () => {
    const wav = readFileSync(await makeTestAudio(media, { seconds: 20 })); // ~1.9 MB
    const c = await create(s, wav.length, { filename: 'long.wav', filetype: 'audio/wav' });
    const loc = c.location!;
    const url = new URL(loc, s.url);
    // A PATCH announcing the whole rest, cut by destroying the socket after 40 % of it.
    await new Promise<void>((resolve) => {
      const req = httpRequest(url, {
        method: 'PATCH',
        headers: {
          ...headers(),
          'tus-resumable': '1.0.0',
          'upload-offset': '0',
          'content-type': 'application/offset+octet-stream',
          'content-length': String(wav.length),
        },
      });
      req.on('error', () => resolve());
      req.on('close', () => resolve());
      req.write(wav.subarray(0, Math.floor(wav.length * 0.4)), () => {
        setTimeout(() => req.destroy(), 200);
      });
    });
    let offset = 0;
    for (let i = 0; i < 50 && offset === 0; i++) {
      const head = await s.request(loc, { method: 'HEAD', headers: { 'tus-resumable': '1.0.0' } });
      offset = Number(head.headers.get('upload-offset'));
      if (offset === 0) await new Promise((r) => setTimeout(r, 50));
    }
    expect(offset).toBeGreaterThan(0);
    expect(offset).toBeLessThan(wav.length);
    const r = await tusUpload(wav, { endpoint: endpoint(), uploadUrl: url.href, headers: headers() });
    expect(r.hash).toBe(sha256(wav));
    const asset = (await (await s.request(`/assets/${r.assetId}`)).json()) as { hash: string };
    const blob = readFileSync(await s.services.blobs.localPath(asset.hash));
    expect(sha256(blob)).toBe(sha256(wav));
  });

  it('answers tus discovery without a token and lists the upload routes in the OpenAPI document', async () => {
    const res = await fetch(`${s.url}/uploads`, { method: 'OPTIONS' });
    expect(res.status).toBe(204);
    expect(res.headers.get('tus-version')).toBe('1.0.0');
    expect(res.headers.get('tus-extension')).toBe('creation,creation-with-upload,termination,expiration');
    expect(res.headers.get('tus-max-size')).toBe(String(s.services.config.ingest.maxBytes));
    const noToken = await fetch(`${s.url}/uploads`, {
      method: 'POST',
      headers: { 'tus-resumable': '1.0.0', 'upload-length': '10' },
    });
    expect(noToken.status).toBe(401);
    const doc = (await (await s.request('/openapi.json')).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/uploads', '/uploads/{id}', '/uploads/{id}/preview']),
    );
  });

  it('stores identical content once: a second upload references the first blob', async () => {
    const file = readFileSync(
      await makeTestImage(media, { w: 96, h: 54, pattern: 'testsrc2', format: 'jpeg' }),
    );
    const count = async () => {
      let n = 0;
      for await (const _ of s.services.blobs.list()) n++;
      return n;
    };
    const a = await tusUpload(file, {
      endpoint: endpoint(),
      headers: headers(),
      metadata: { filename: 'a.jpg' },
    });
    const before = await count();
    const b = await tusUpload(file, {
      endpoint: endpoint(),
      headers: headers(otherToken),
      metadata: { filename: 'b.jpg' },
    });
    expect(b.hash).toBe(a.hash);
    expect(b.assetId).not.toBe(a.assetId);
    expect(await count()).toBe(before);
  });
});
