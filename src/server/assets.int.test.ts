import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestAudio, makeTestImage, makeTestVideo } from '../../test/helpers/media-fixtures.js';
import { tmpDir } from '../../test/helpers/paths.js';
import { startTestServer, type TestServer } from './test-support/test-server.js';

const fixtures = join(tmpDir, 'server-fixtures');
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

interface AssetJson {
  id: string;
  name: string;
  kind: string;
  mime: string;
  hash: string;
  bytes: number;
  ref: string;
  metadata: {
    width: number | null;
    height: number | null;
    durationSec: number | null;
    audio: unknown;
    video: unknown;
  };
}

function blobFiles(dataDir: string): string[] {
  const root = join(dataDir, 'blobs', 'sha256');
  const out: string[] = [];
  for (const a of readdirSync(root))
    for (const b of readdirSync(join(root, a))) out.push(...readdirSync(join(root, a, b)));
  return out;
}

describe('server: assets', () => {
  let s: TestServer;
  let png: Buffer;
  let wav: Buffer;
  let mp4: Buffer;
  let otherToken: string;

  const upload = (bytes: Buffer, name: string, token?: string) => {
    const form = new FormData();
    form.append('name', name);
    form.append('file', new Blob([bytes]), 'ignored.bin');
    return s.request('/assets', { method: 'POST', body: form, token });
  };

  beforeAll(async () => {
    s = await startTestServer({ rateLimit: { perMinute: 0 } });
    png = readFileSync(await makeTestImage(fixtures, { w: 64, h: 36, color: 'red' }));
    wav = readFileSync(await makeTestAudio(fixtures, { seconds: 1 }));
    mp4 = readFileSync(await makeTestVideo(fixtures, { w: 64, h: 36, seconds: 1 }));
    s.token = s.services.tokens.create({ name: 'alice', owner: 'alice', scopes: ['read', 'write'] }).token;
    otherToken = s.services.tokens.create({ name: 'bob', owner: 'bob', scopes: ['read', 'write'] }).token;
  });
  afterAll(() => s.close());

  it('uploads an image as multipart and describes it with sharp', async () => {
    const res = await upload(png, 'red square.png');
    expect(res.status).toBe(201);
    const a = (await res.json()) as AssetJson;
    expect(res.headers.get('location')).toBe(`/assets/${a.id}`);
    expect(a).toMatchObject({
      name: 'red square.png',
      kind: 'image',
      mime: 'image/png',
      hash: sha(png),
      bytes: png.length,
    });
    expect(a.metadata).toMatchObject({ width: 64, height: 36, durationSec: null });
    expect(a.ref).toBe(`asset:${a.id}`);
  });

  it('uploads raw audio and video bodies and describes them with ffprobe', async () => {
    const audio = (await (
      await s.request('/assets?name=tone.wav', {
        method: 'POST',
        body: wav,
        headers: { 'content-type': 'audio/wav' },
      })
    ).json()) as AssetJson;
    expect(audio).toMatchObject({ kind: 'audio', mime: 'audio/wav' });
    expect(audio.metadata.durationSec).toBeCloseTo(1, 1);
    expect(audio.metadata.audio).toMatchObject({ sampleRate: 48_000, channels: 1 });
    const video = (await (
      await s.request('/assets?name=clip.mp4', {
        method: 'POST',
        body: mp4,
        headers: { 'content-type': 'application/octet-stream' },
      })
    ).json()) as AssetJson;
    expect(video).toMatchObject({ kind: 'video', mime: 'video/mp4' });
    expect(video.metadata).toMatchObject({ width: 64, height: 36, video: { fps: 30 } });
  });

  it('stores identical content once and keeps it while any asset uses it', async () => {
    const before = blobFiles(s.dataDir).length;
    const a = (await (await upload(png, 'copy-a.png')).json()) as AssetJson;
    const b = (await (await upload(png, 'copy-b.png')).json()) as AssetJson;
    expect(a.hash).toBe(b.hash);
    expect(a.id).not.toBe(b.id);
    expect(blobFiles(s.dataDir).length).toBe(before);
    expect((await s.request(`/assets/${a.id}`, { method: 'DELETE' })).status).toBe(204);
    expect(blobFiles(s.dataDir)).toContain(png.length > 0 ? sha(png) : '');
  });

  it('deletes the content with the last asset that uses it', async () => {
    const unique = Buffer.concat([wav, Buffer.alloc(16)]); // still a valid WAV to ffprobe, different bytes
    const a = (await (
      await s.request('/assets?name=padded.wav', {
        method: 'POST',
        body: unique,
        headers: { 'content-type': 'audio/wav' },
      })
    ).json()) as AssetJson;
    expect(blobFiles(s.dataDir)).toContain(a.hash);
    expect((await s.request(`/assets/${a.id}`, { method: 'DELETE' })).status).toBe(204);
    expect(blobFiles(s.dataDir)).not.toContain(a.hash);
    expect((await s.request(`/assets/${a.id}`)).status).toBe(404);
    expect((await s.request(`/assets/${a.id}`, { method: 'DELETE' })).status).toBe(404);
  });

  it('lists and searches by name and kind, newest first, in pages', async () => {
    for (const n of ['search-one.png', 'search-two.png']) await upload(png, n);
    const all = (await (await s.request('/assets?q=SEARCH-')).json()) as {
      items: AssetJson[];
      total: number;
    };
    expect(all.total).toBe(2);
    expect(all.items.map((a) => a.name)).toEqual(['search-two.png', 'search-one.png']);
    const page = (await (await s.request('/assets?q=search-&limit=1&offset=1')).json()) as {
      items: AssetJson[];
    };
    expect(page.items.map((a) => a.name)).toEqual(['search-one.png']);
    const audio = (await (await s.request('/assets?kind=audio')).json()) as { items: AssetJson[] };
    expect(audio.items.every((a) => a.kind === 'audio')).toBe(true);
    const literal = (await (await s.request('/assets?q=%25')).json()) as { total: number };
    expect(literal.total).toBe(0); // "%" is matched literally, not as a wildcard
    expect((await s.request('/assets?kind=pdf')).status).toBe(400);
  });

  it('downloads content whole, by range, and answers If-None-Match with 304', async () => {
    const a = (await (await upload(mp4, 'dl.mp4')).json()) as AssetJson;
    const full = await s.request(`/assets/${a.id}/content`);
    expect(full.status).toBe(200);
    expect(full.headers.get('accept-ranges')).toBe('bytes');
    expect(full.headers.get('content-type')).toBe('video/mp4');
    expect(full.headers.get('content-disposition')).toContain('dl.mp4');
    expect(Buffer.from(await full.arrayBuffer())).toEqual(mp4);
    const part = await s.request(`/assets/${a.id}/content`, { headers: { range: 'bytes=10-19' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 10-19/${mp4.length}`);
    expect(Buffer.from(await part.arrayBuffer())).toEqual(mp4.subarray(10, 20));
    const tail = await s.request(`/assets/${a.id}/content`, { headers: { range: 'bytes=-5' } });
    expect(Buffer.from(await tail.arrayBuffer())).toEqual(mp4.subarray(mp4.length - 5));
    const beyond = await s.request(`/assets/${a.id}/content`, { headers: { range: `bytes=${mp4.length}-` } });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('content-range')).toBe(`bytes */${mp4.length}`);
    expect(((await beyond.json()) as { code: string }).code).toBe('RANGE_NOT_SATISFIABLE');
    const cached = await s.request(`/assets/${a.id}/content`, {
      headers: { 'if-none-match': `"${a.hash}"` },
    });
    expect(cached.status).toBe(304);
  });

  it('refuses content that is not media, and playlists, keeping nothing', async () => {
    const before = blobFiles(s.dataDir).length;
    const text = await s.request('/assets?name=notes.txt', {
      method: 'POST',
      body: 'just some words, not a picture',
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect(text.status).toBe(422);
    const body = (await text.json()) as { code: string; detail: string };
    expect(body.code).toBe('MEDIA_UNREADABLE');
    expect(body.detail).toContain('notes.txt');
    expect(body.detail).not.toContain(s.dataDir);
    const playlist = join(fixtures, 'list.ffconcat');
    writeFileSync(playlist, "ffconcat version 1.0\nfile '/etc/passwd'\n");
    const concat = await s.request('/assets?name=list.ffconcat', {
      method: 'POST',
      body: readFileSync(playlist),
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect(concat.status).toBe(422);
    const svg = await s.request('/assets?name=logo.svg', {
      method: 'POST',
      body: '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><image href="file:///etc/hostname"/></svg>',
      headers: { 'content-type': 'image/svg+xml' },
    });
    expect(svg.status).toBe(422);
    expect(((await svg.json()) as { code: string }).code).toBe('MEDIA_UNREADABLE');
    expect(blobFiles(s.dataDir).length).toBe(before);
  });

  it('uses an uploaded file name only as a display name', async () => {
    const a = (await (await upload(png, '../../../etc/passwd')).json()) as AssetJson;
    expect(a.name).toBe('passwd');
  });

  it('keeps owners apart: another owner’s asset does not exist for them', async () => {
    const mine = (await (await upload(png, 'private.png')).json()) as AssetJson;
    expect((await s.request(`/assets/${mine.id}`, { token: otherToken })).status).toBe(404);
    expect((await s.request(`/assets/${mine.id}/content`, { token: otherToken })).status).toBe(404);
    expect((await s.request(`/assets/${mine.id}`, { method: 'DELETE', token: otherToken })).status).toBe(404);
    const theirs = (await (await s.request('/assets', { token: otherToken })).json()) as { total: number };
    expect(theirs.total).toBe(0);
  });

  it('answers malformed ids with 400 and unknown ones with 404', async () => {
    expect((await s.request('/assets/..%2F..%2Fetc%2Fpasswd')).status).toBe(400);
    expect((await s.request('/assets/a_0000000000000000')).status).toBe(404);
  });
});
