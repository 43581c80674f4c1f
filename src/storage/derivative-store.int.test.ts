import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../test/helpers/paths.js';
import { openDatabase, type SqliteDatabase } from '../jobs/index.js';
import { type Asset, AssetStore } from './asset-store.js';
import { type DerivativeFile, DerivativeStore, Derivatives } from './derivative-store.js';
import { newId } from './ids.js';
import { KeyedMutex } from './keyed-mutex.js';
import { LocalBlobStore } from './local-blob-store.js';
import { migrateServerSchema } from './schema.js';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

describe('derivative store', () => {
  let dir: string;
  let db: SqliteDatabase;
  let blobs: LocalBlobStore;
  let assets: AssetStore;
  let derivatives: Derivatives;

  const asset = (hash = sha('source')): Asset => {
    const a: Asset = {
      id: newId('asset'),
      owner: 'alice',
      name: 'a.png',
      kind: 'image',
      mime: 'image/png',
      hash,
      bytes: 6,
      metadata: {
        format: 'png',
        width: 1,
        height: 1,
        durationSec: null,
        hasAlpha: false,
        video: null,
        audio: null,
      },
      createdAt: 1,
    };
    assets.insert(a);
    return a;
  };
  const file = (name: string, text: string, kind: DerivativeFile['kind'] = 'variant'): DerivativeFile => {
    const path = join(dir, `${name}.src`);
    writeFileSync(path, text);
    return { name, kind, mime: 'image/webp', path, meta: { text } };
  };

  beforeEach(() => {
    dir = makeTempDir('derivatives');
    db = openDatabase(join(dir, 'db.sqlite'));
    migrateServerSchema(db);
    blobs = new LocalBlobStore(join(dir, 'blobs'));
    assets = new AssetStore(db);
    derivatives = new Derivatives({
      store: new DerivativeStore(db),
      blobs,
      locks: new KeyedMutex(),
      isHashReferenced: (h) => assets.isHashReferenced(h),
      now: () => 42,
    });
  });
  afterEach(async () => {
    await blobs.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('publishes a set, lists it and reads each back', async () => {
    const a = asset();
    const list = await derivatives.publish(a.id, [file('x.webp', 'one'), file('proxy.mp4', 'two', 'proxy')]);
    expect(list.map((d) => [d.name, d.kind, d.hash, d.bytes, d.createdAt])).toEqual([
      ['proxy.mp4', 'proxy', sha('two'), 3, 42],
      ['x.webp', 'variant', sha('one'), 3, 42],
    ]);
    const d = derivatives.get(a.id, 'x.webp');
    expect(d.meta).toEqual({ text: 'one' });
    const chunks: Buffer[] = [];
    for await (const c of await derivatives.open(d, { start: 1, end: 2 })) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('ne');
    const proxy = await derivatives.proxyFor(a.id);
    expect(readFileSync(proxy!.path, 'utf8')).toBe('two');
    expect(await derivatives.proxyFor(asset(sha('other')).id)).toBeNull();
  });

  it('a re-run replaces the set; blobs only the old set used are deleted, shared ones stay', async () => {
    const a = asset();
    const b = asset(sha('b'));
    await derivatives.publish(a.id, [file('x.webp', 'old'), file('y.webp', 'shared')]);
    await derivatives.publish(b.id, [file('y.webp', 'shared')]);
    await derivatives.publish(a.id, [file('z.webp', 'new')]);
    expect(derivatives.list(a.id).map((d) => d.name)).toEqual(['z.webp']);
    expect(await blobs.stat(sha('old'))).toBeNull();
    expect(await blobs.stat(sha('shared'))).not.toBeNull();
    expect(await blobs.stat(sha('new'))).not.toBeNull();
  });

  it('the same content published twice is one blob, and survives a replace that keeps it', async () => {
    const a = asset();
    await derivatives.publish(a.id, [file('x.webp', 'same')]);
    await derivatives.publish(a.id, [file('x.webp', 'same'), file('w.webp', 'more')]);
    expect(await blobs.stat(sha('same'))).not.toBeNull();
    expect(derivatives.list(a.id)).toHaveLength(2);
  });

  it('publishing for a deleted asset fails with ASSET_NOT_FOUND and keeps nothing', async () => {
    await expect(derivatives.publish('a_0000000000000000', [file('x.webp', 'orphan')])).rejects.toMatchObject(
      {
        code: 'ASSET_NOT_FOUND',
      },
    );
    expect(await blobs.stat(sha('orphan'))).toBeNull();
  });

  it('deleting the asset deletes its records; their blobs go unless another record names them', async () => {
    const a = asset();
    // Content identical to a derivative, uploaded as an asset of its own.
    asset(sha('also-an-asset'));
    await derivatives.publish(a.id, [file('x.webp', 'mine'), file('y.webp', 'also-an-asset')]);
    const hashes = derivatives.hashesOf(a.id);
    expect(assets.isHashReferenced(sha('mine'))).toBe(true);
    assets.delete('alice', a.id);
    expect(derivatives.list(a.id)).toEqual([]);
    await derivatives.dropUnreferenced(hashes);
    expect(await blobs.stat(sha('mine'))).toBeNull();
    // LocalBlobStore never had the also-an-asset bytes as an asset here, but the derivative put them there.
    expect(await blobs.stat(sha('also-an-asset'))).not.toBeNull();
  });

  it('shares a twin’s derivatives; not a PDF’s pages, and not when a blob went meanwhile', async () => {
    const a = asset(sha('same content'));
    const b = asset(sha('same content'));
    expect(await derivatives.copyFromTwin(b)).toBeNull(); // a has none yet
    await derivatives.publish(a.id, [file('x.webp', 'one'), file('y.webp', 'two')]);
    const copied = await derivatives.copyFromTwin(b);
    expect(copied?.from).toBe(a.id);
    expect(copied?.items.map((d) => [d.assetId, d.name, d.hash])).toEqual([
      [b.id, 'x.webp', sha('one')],
      [b.id, 'y.webp', sha('two')],
    ]);
    // A blob lost behind the records' back: the copy is refused and nothing is kept.
    const c = asset(sha('same content'));
    await blobs.delete(sha('two'));
    expect(await derivatives.copyFromTwin(c)).toBeNull();
    expect(derivatives.list(c.id)).toEqual([]);
    // Pages are their owner's assets: never shared.
    const pdfA = asset(sha('pdf'));
    const pdfB = asset(sha('pdf'));
    await derivatives.publish(pdfA.id, [file('page-001.png', 'p1', 'page')]);
    expect(await derivatives.copyFromTwin(pdfB)).toBeNull();
  });

  it('an unknown or malformed name is DERIVATIVE_NOT_FOUND', () => {
    const a = asset();
    expect(() => derivatives.get(a.id, 'nope.webp')).toThrow(
      expect.objectContaining({ code: 'DERIVATIVE_NOT_FOUND' }),
    );
    expect(() => derivatives.get(a.id, '../../etc/passwd')).toThrow(
      expect.objectContaining({ code: 'DERIVATIVE_NOT_FOUND' }),
    );
  });
});
