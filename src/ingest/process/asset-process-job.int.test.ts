import { createReadStream, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  isProcessAlive,
  makeTestAudio,
  makeTestImage,
  makeTestVideo,
} from '../../../test/helpers/media-fixtures.js';
import { makeTempDir } from '../../../test/helpers/paths.js';
import { createServices, type Services } from '../../app.js';
import { loadConfig } from '../../config/load-config.js';
import { type JobDetail, waitForJob } from '../../jobs/index.js';
import { silentLogger } from '../../log.js';
import { type Asset, AssetStore } from '../../storage/asset-store.js';
import { newId } from '../../storage/ids.js';
import {
  type AssetProcessResult,
  enqueueAssetProcessing,
  processingJobId,
  removeStaleWorkFolders,
} from './index.js';
import { ffmpegFixture, makeTwoPagePdf } from './test-support/process-fixtures.js';

/** Processes whose command line names this file (ffmpeg children working on an asset). */
function ffmpegPids(path: string): number[] {
  const out: number[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (args[0]?.endsWith('ffmpeg') && args.includes(path)) out.push(Number(pid));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

describe('asset-process job, end to end through the SQLite queue', () => {
  let dir: string;
  let fixtures: string;
  let services: Services;
  let store: AssetStore;

  const upload = (path: string, name: string, owner = 'alice') =>
    services.assets.upload(owner, name, createReadStream(path));
  const process = async (a: Pick<Asset, 'id' | 'owner'>, again = false) => {
    const job = await enqueueAssetProcessing(services.queue, { assetId: a.id, owner: a.owner }, { again });
    return (await waitForJob(services.queue, job.id, { pollMs: 50 })) as JobDetail<
      unknown,
      AssetProcessResult
    >;
  };
  const names = (assetId: string) =>
    services.derivatives
      .list(assetId)
      .map((d) => d.name)
      .sort();
  /** An asset whose stored bytes are these, as if it had passed the checks at upload. */
  const insertRaw = async (bytes: Buffer, kind: Asset['kind'], mime: string): Promise<Asset> => {
    const put = await services.blobs.put(Readable.from([bytes]));
    const a: Asset = {
      id: newId('asset'),
      owner: 'alice',
      name: `raw.${kind}`,
      kind,
      mime,
      hash: put.hash,
      bytes: put.bytes,
      metadata: {
        format: 'x',
        width: 160,
        height: 90,
        durationSec: 1,
        hasAlpha: false,
        video: null,
        audio: null,
      },
      createdAt: Date.now(),
    };
    store.insert(a);
    return a;
  };

  beforeAll(async () => {
    dir = makeTempDir('asset-process');
    fixtures = join(dir, 'fixtures');
    mkdirSync(fixtures);
    const config = loadConfig({
      dataDir: join(dir, 'data'),
      log: { level: 'silent' },
      jobs: { pollMs: 50, shutdownGraceMs: 0 },
    });
    services = await createServices(config, { log: silentLogger() });
    store = new AssetStore(services.db);
    services.startJobs();
  });
  afterAll(async () => {
    await services.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a video with sound: metadata, poster, strip, proxy, waveform and loudness, reported as steps', async () => {
    const a = await upload(
      await makeTestVideo(fixtures, { w: 160, h: 90, seconds: 2, withAudio: true }),
      'clip.mp4',
    );
    const job = await process(a);
    expect(job.state).toBe('completed');
    expect(names(a.id)).toEqual([
      'loudness.json',
      'metadata.json',
      'poster.jpg',
      'proxy.mp4',
      'sprite.jpg',
      'thumbnails.vtt',
      'waveform.json',
      'waveform.png',
    ]);
    expect(job.result?.video).toMatchObject({ width: 160, height: 90, fps: 30, hdr: false, hasAudio: true });
    expect(job.result?.loudness?.integratedLufs).toEqual(expect.any(Number));
    expect(job.progress?.steps.map((s) => [s.name, s.state])).toEqual([
      ['metadata', 'done'],
      ['poster', 'done'],
      ['thumbnails', 'done'],
      ['proxy', 'done'],
      ['waveform', 'done'],
      ['loudness', 'done'],
      ['store', 'done'],
    ]);
    expect(job.progress?.percent).toBe(100);
    const proxy = await services.derivatives.proxyFor(a.id);
    expect(proxy?.mime).toBe('video/mp4');
    expect(readFileSync(proxy!.path).subarray(4, 8).toString('latin1')).toBe('ftyp');
  });

  it('a video without sound has no waveform or loudness', async () => {
    const a = await upload(await makeTestVideo(fixtures, { w: 160, h: 90, seconds: 1 }), 'silent.mp4');
    const job = await process(a);
    expect(job.state).toBe('completed');
    expect(names(a.id)).toEqual(['metadata.json', 'poster.jpg', 'proxy.mp4', 'sprite.jpg', 'thumbnails.vtt']);
  });

  it('an image: WebP and AVIF variants and thumbnails', async () => {
    const a = await upload(
      await makeTestImage(fixtures, { w: 640, h: 360, pattern: 'testsrc2' }),
      'still.png',
    );
    const job = await process(a);
    expect(job.state).toBe('completed');
    expect(names(a.id)).toEqual(['image-2048.avif', 'image-2048.webp', 'thumb-320.avif', 'thumb-320.webp']);
    expect(services.derivatives.get(a.id, 'thumb-320.webp').meta).toMatchObject({ width: 320, height: 180 });
  });

  it('audio: waveform and loudness', async () => {
    const a = await upload(await makeTestAudio(fixtures, { seconds: 1 }), 'tone.wav');
    const job = await process(a);
    expect(job.state).toBe('completed');
    expect(names(a.id)).toEqual(['loudness.json', 'waveform.json', 'waveform.png']);
    expect(job.result?.video).toBeUndefined();
  });

  it('a PDF: one image asset per page, listed as its derivatives, each processed in turn; a re-run reuses them', async () => {
    const pdf = await upload(await makeTwoPagePdf(fixtures), 'brochure.pdf');
    expect(pdf).toMatchObject({ kind: 'document', mime: 'application/pdf' });
    const job = await process(pdf);
    expect(job.state).toBe('completed');
    expect(job.result?.pages).toBe(2);
    const pages = services.derivatives.list(pdf.id);
    expect(pages.map((d) => [d.name, d.kind, d.meta.page])).toEqual([
      ['page-001.png', 'page', 1],
      ['page-002.png', 'page', 2],
    ]);
    const pageAssets = pages.map((d) => services.assets.get('alice', d.meta.assetId as string));
    expect(pageAssets.map((p) => [p.kind, p.mime, p.name])).toEqual([
      ['image', 'image/png', 'brochure – page 1.png'],
      ['image', 'image/png', 'brochure – page 2.png'],
    ]);
    expect(pageAssets[0]!.metadata.height).toBe(2048);
    // Another owner cannot see them.
    expect(() => services.assets.get('bob', pageAssets[0]!.id)).toThrow();
    // Each page was queued for processing of its own.
    const pageJob = await waitForJob(services.queue, processingJobId(pageAssets[0]!.id), { pollMs: 50 });
    expect(pageJob.state).toBe('completed');
    expect(names(pageAssets[0]!.id)).toContain('image-2048.webp');

    const before = services.assets.list('alice', { limit: 200, offset: 0 }).total;
    const again = await process(pdf, true);
    expect(again.state).toBe('completed');
    expect(services.derivatives.list(pdf.id).map((d) => d.meta.assetId)).toEqual(pageAssets.map((p) => p.id));
    expect(services.assets.list('alice', { limit: 200, offset: 0 }).total).toBe(before);
  });

  it('is idempotent: the same job for the same asset, and a re-run replaces the set with the same content', async () => {
    const a = await upload(await makeTestImage(fixtures, { w: 320, h: 240, color: 'teal' }), 'teal.png');
    const first = await process(a);
    const same = await enqueueAssetProcessing(services.queue, { assetId: a.id, owner: 'alice' });
    expect(same.id).toBe(first.id);
    const hashes = services.derivatives.list(a.id).map((d) => d.hash);
    const rerun = await process(a, true);
    expect(rerun.id).not.toBe(first.id);
    expect(rerun.state).toBe('completed');
    expect(services.derivatives.list(a.id).map((d) => d.hash)).toEqual(hashes);
  });

  it('identical content uploaded again shares the derivatives instead of making them again', async () => {
    const path = await makeTestVideo(fixtures, { w: 160, h: 90, seconds: 1, withAudio: true });
    const first = await upload(path, 'first.mp4');
    await process(first);
    const second = await upload(path, 'second.mp4', 'bob');
    const job = await process(second);
    expect(job.state).toBe('completed');
    expect(job.result).toMatchObject({ copiedFrom: first.id, video: { width: 160, hasAudio: true } });
    expect(job.result?.loudness?.integratedLufs).toEqual(expect.any(Number));
    expect(job.progress?.steps.map((st) => st.name)).toEqual(['copy']);
    const hashes = (id: string) => services.derivatives.list(id).map((d) => [d.name, d.hash]);
    expect(hashes(second.id)).toEqual(hashes(first.id));
    // Deleting the first keeps what the second shares.
    const shared = services.derivatives.hashesOf(first.id);
    await services.assets.delete('alice', first.id);
    await services.derivatives.dropUnreferenced(shared);
    for (const d of services.derivatives.list(second.id))
      expect(await services.blobs.stat(d.hash)).not.toBeNull();
    // A re-run asked for makes them again (and they come out the same).
    const again = await process(second, true);
    expect(again.result?.copiedFrom).toBeUndefined();
    expect(again.progress?.steps.map((st) => st.name)).toContain('proxy');
  });

  it('a corrupt image fails cleanly, once, naming the step, and the worker goes on', async () => {
    // A PNG whose header is fine (it passes the upload check) but whose pixel data is garbage.
    const png = await sharp({ create: { width: 300, height: 200, channels: 3, background: 'orange' } })
      .png({ compressionLevel: 0 })
      .toBuffer();
    const broken = Buffer.from(png);
    broken.fill(0x5a, 100, broken.length - 40);
    const path = join(fixtures, 'broken.png');
    writeFileSync(path, broken);
    const a = await upload(path, 'broken.png');
    const job = await process(a);
    expect(job.state).toBe('failed');
    expect(job.error).toMatchObject({ code: 'ASSET_PROCESSING_FAILED', retryable: false });
    expect(job.error?.message).toMatch(new RegExp(`asset ${a.id}: image variants failed: `));
    expect(job.error?.message).not.toContain(dir);
    expect(job.attemptHistory).toHaveLength(1);
    expect(services.derivatives.list(a.id)).toEqual([]);
    // The worker is still there.
    const ok = await process(
      await upload(await makeTestImage(fixtures, { w: 32, h: 32, color: 'navy' }), 'n.png'),
    );
    expect(ok.state).toBe('completed');
  });

  it('garbage stored as a video fails at the metadata step', async () => {
    const a = await insertRaw(Buffer.alloc(4096, 7), 'video', 'video/mp4');
    const job = await process(a);
    expect(job.state).toBe('failed');
    expect(job.error?.code).toBe('ASSET_PROCESSING_FAILED');
    expect(job.error?.message).toMatch(/metadata failed/);
  });

  it('a truncated MP4 (its index was at the end) fails cleanly at the metadata step', async () => {
    const source = await makeTestVideo(fixtures, { w: 160, h: 90, seconds: 2, withAudio: true });
    const moovLast = join(fixtures, 'moov-last.mp4');
    await ffmpegFixture(['-i', source, '-c', 'copy', moovLast]);
    const full = readFileSync(moovLast);
    expect(full.indexOf('moov')).toBeGreaterThan(full.indexOf('mdat'));
    const a = await insertRaw(full.subarray(0, Math.floor(full.length / 2)), 'video', 'video/mp4');
    const job = await process(a);
    expect(job.state).toBe('failed');
    expect(job.error?.code).toBe('ASSET_PROCESSING_FAILED');
    expect(job.error?.message).toMatch(/metadata failed: /);
    expect(job.attemptHistory).toHaveLength(1);
  });

  it('cancelling a running job kills its ffmpeg and keeps no derivatives', async () => {
    const long = await makeTestVideo(fixtures, { w: 640, h: 360, seconds: 30, fps: 30 });
    const a = await upload(long, 'long.mp4');
    const blob = await services.blobs.localPath(a.hash);
    const job = await enqueueAssetProcessing(services.queue, { assetId: a.id, owner: 'alice' });
    // Wait until ffmpeg is at work on it (the proxy step is the long one).
    for (let i = 0; i < 600; i++) {
      const d = await services.queue.get(job.id);
      if (
        d.progress?.steps.find((st) => st.name === 'proxy')?.state === 'running' &&
        ffmpegPids(blob).length > 0
      )
        break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const pids = ffmpegPids(blob);
    expect(pids.length).toBeGreaterThan(0);
    await services.queue.cancel(job.id);
    const done = await waitForJob(services.queue, job.id, { pollMs: 50 });
    expect(done.state).toBe('cancelled');
    for (let i = 0; i < 100 && pids.some(isProcessAlive); i++) await new Promise((r) => setTimeout(r, 50));
    expect(pids.filter(isProcessAlive)).toEqual([]);
    expect(services.derivatives.list(a.id)).toEqual([]);
  });

  it('tidies working folders of earlier runs whose job is not running', async () => {
    const scratch = join(dir, 'scratch-test');
    for (const name of ['process-a_1-1-abc123', 'process-a_2-3-def456', 'junk'])
      mkdirSync(join(scratch, name), { recursive: true });
    await removeStaleWorkFolders(scratch, readdirSync(scratch), async (id) => id === 'process-a_2');
    expect(readdirSync(scratch).sort()).toEqual(['junk', 'process-a_2-3-def456']);
  });

  it('an asset deleted before its job runs fails with ASSET_NOT_FOUND', async () => {
    const a = await upload(await makeTestImage(fixtures, { w: 16, h: 16, color: 'lime' }), 'gone.png');
    await services.assets.delete('alice', a.id);
    const job = await process(a);
    expect(job.state).toBe('failed');
    expect(job.error?.code).toBe('ASSET_NOT_FOUND');
  });
});
