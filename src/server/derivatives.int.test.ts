import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestVideo } from '../../test/helpers/media-fixtures.js';
import { tmpDir } from '../../test/helpers/paths.js';
import { processingJobId } from '../ingest/process/index.js';
import { makeTwoPagePdf } from '../ingest/process/test-support/process-fixtures.js';
import { waitForJob } from '../jobs/index.js';
import { startTestServer, type TestServer, uploadAsset } from './test-support/test-server.js';

const fixtures = join(tmpDir, 'derivative-fixtures');
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

interface DerivativeJson {
  name: string;
  kind: string;
  mime: string;
  hash: string;
  bytes: number;
  meta: Record<string, unknown>;
  url: string;
}
interface ListJson {
  assetId: string;
  processing: { jobId: string; state: string; error: unknown } | null;
  items: DerivativeJson[];
}

const blobPath = (dataDir: string, hash: string) =>
  join(dataDir, 'blobs', 'sha256', hash.slice(0, 2), hash.slice(2, 4), hash);

describe('server: asset derivatives', () => {
  let s: TestServer;
  let bobToken: string;
  let videoId: string;
  let list: ListJson;

  const post = (bytes: Buffer, name: string, type: string) => uploadAsset(s, bytes, name, { type });
  const processed = async (id: string) => {
    const job = await waitForJob(s.services.queue, processingJobId(id), { pollMs: 50 });
    expect(job.state).toBe('completed');
  };
  const bytesOf = async (path: string, init: RequestInit & { token?: string } = {}) => {
    const res = await s.request(path, init);
    return { res, body: Buffer.from(await res.arrayBuffer()) };
  };

  beforeAll(async () => {
    mkdirSync(fixtures, { recursive: true });
    s = await startTestServer({ rateLimit: { perMinute: 0 } }, { startJobs: true });
    s.token = s.services.tokens.create({ name: 'alice', owner: 'alice', scopes: ['read', 'write'] }).token;
    bobToken = s.services.tokens.create({ name: 'bob', owner: 'bob', scopes: ['read', 'write'] }).token;
    const mp4 = readFileSync(await makeTestVideo(fixtures, { w: 160, h: 90, seconds: 2, withAudio: true }));
    videoId = (await post(mp4, 'clip.mp4', 'video/mp4')).id;
    await processed(videoId);
    list = (await (await s.request(`/assets/${videoId}/derivatives`)).json()) as ListJson;
  });
  afterAll(() => s.close());

  it('lists what the uploaded video’s processing made, with URLs, meta and the job’s state', () => {
    expect(list.assetId).toBe(videoId);
    expect(list.processing).toEqual({ jobId: processingJobId(videoId), state: 'completed', error: null });
    expect(list.items.map((d) => d.name).sort()).toEqual([
      'loudness.json',
      'metadata.json',
      'poster.jpg',
      'proxy.mp4',
      'sprite.jpg',
      'thumbnails.vtt',
      'waveform.json',
      'waveform.png',
    ]);
    const sprite = list.items.find((d) => d.name === 'sprite.jpg');
    expect(sprite).toMatchObject({
      kind: 'sprite',
      mime: 'image/jpeg',
      url: `/assets/${videoId}/derivatives/sprite.jpg`,
    });
    expect(sprite?.meta).toMatchObject({ tiles: 10, tileWidth: 160, tileHeight: 90 });
  });

  it('serves each derivative’s bytes with its type; the proxy in ranges', async () => {
    for (const d of list.items) {
      const { res, body } = await bytesOf(d.url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain(d.mime);
      expect(sha(body)).toBe(d.hash);
    }
    const proxy = list.items.find((d) => d.kind === 'proxy')!;
    const { res, body } = await bytesOf(proxy.url, { headers: { range: 'bytes=4-7' } });
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe(`bytes 4-7/${proxy.bytes}`);
    expect(body.toString('latin1')).toBe('ftyp');
  });

  it('the VTT’s cues name the sprite relative to the VTT, so they resolve to the sprite’s URL', async () => {
    const vtt = list.items.find((d) => d.name === 'thumbnails.vtt')!;
    const text = (await bytesOf(vtt.url)).body.toString('utf8');
    const target = /\n(\S+)#xywh=/.exec(text)?.[1];
    const resolved = new URL(target!, `${s.url}${vtt.url}`);
    const { res } = await bytesOf(resolved.pathname);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('image/jpeg');
  });

  it('another owner sees neither the list nor the bytes (404)', async () => {
    const other = await s.request(`/assets/${videoId}/derivatives`, { token: bobToken });
    expect(other.status).toBe(404);
    expect(((await other.json()) as { code: string }).code).toBe('ASSET_NOT_FOUND');
    expect((await s.request(`/assets/${videoId}/derivatives/poster.jpg`, { token: bobToken })).status).toBe(
      404,
    );
  });

  it('unknown names are DERIVATIVE_NOT_FOUND, malformed ids 400, unknown assets 404', async () => {
    const res = await s.request(`/assets/${videoId}/derivatives/nothing.png`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { code: string }).code).toBe('DERIVATIVE_NOT_FOUND');
    expect((await s.request(`/assets/${videoId}/derivatives/..%2F..%2Fetc`)).status).toBe(404);
    expect((await s.request('/assets/not-an-id/derivatives')).status).toBe(400);
    expect((await s.request('/assets/a_0000000000000000/derivatives')).status).toBe(404);
  });

  it('a PDF posted to /assets becomes a document whose pages are image assets of the same owner', async () => {
    const pdf = await post(readFileSync(await makeTwoPagePdf(fixtures)), 'flyer.pdf', 'application/pdf');
    expect(pdf).toMatchObject({ kind: 'document', mime: 'application/pdf' });
    await processed(pdf.id);
    const pages = (await (await s.request(`/assets/${pdf.id}/derivatives`)).json()) as ListJson;
    expect(pages.items.map((d) => [d.name, d.kind])).toEqual([
      ['page-001.png', 'page'],
      ['page-002.png', 'page'],
    ]);
    const pageId = pages.items[0]!.meta.assetId as string;
    const page = await s.request(`/assets/${pageId}`);
    expect(page.status).toBe(200);
    expect(await page.json()).toMatchObject({ kind: 'image', mime: 'image/png' });
    expect((await s.request(`/assets/${pageId}`, { token: bobToken })).status).toBe(404);
  });

  it('is in the OpenAPI document', async () => {
    const doc = (await (await s.request('/openapi.json')).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/assets/{id}/derivatives', '/assets/{id}/derivatives/{name}']),
    );
  });

  it('deleting the asset deletes its derivatives and their blobs', async () => {
    const proxy = list.items.find((d) => d.kind === 'proxy')!;
    expect(existsSync(blobPath(s.dataDir, proxy.hash))).toBe(true);
    expect((await s.request(`/assets/${videoId}`, { method: 'DELETE' })).status).toBe(204);
    expect(s.services.derivatives.list(videoId)).toEqual([]);
    expect(existsSync(blobPath(s.dataDir, proxy.hash))).toBe(false);
    expect((await s.request(proxy.url)).status).toBe(404);
  });
});
