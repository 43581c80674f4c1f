import { createHash } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isReelforgeError } from '../../errors.js';
import type { BlobStore } from '../blob-store.js';

export interface BlobStoreUnderTest {
  store: BlobStore;
  /** A scratch folder for files the tests write (putFile). */
  scratch: string;
  cleanup(): Promise<void>;
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c as Uint8Array));
  return Buffer.concat(chunks);
}

async function listAll(store: BlobStore): Promise<string[]> {
  const out: string[] = [];
  for await (const b of store.list()) out.push(b.hash);
  return out.sort();
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return isReelforgeError(e) ? e.code : `other: ${(e as Error).name}`;
  }
  return 'resolved';
}

/** A stream of `n` chunks of `size` bytes each, then (optionally) an error. */
function chunks(n: number, size: number, fail?: Error): Readable {
  let i = 0;
  return new Readable({
    read() {
      if (i < n) this.push(Buffer.alloc(size, i++ % 251));
      else if (fail) this.destroy(fail);
      else this.push(null);
    },
  });
}

/** The contract every BlobStore meets. Run it with `runBlobStoreSuite('local', make)`. */
export function runBlobStoreSuite(name: string, make: () => Promise<BlobStoreUnderTest>): void {
  describe(`BlobStore conformance: ${name}`, () => {
    let t: BlobStoreUnderTest;
    let store: BlobStore;

    beforeEach(async () => {
      t = await make();
      store = t.store;
    });
    afterEach(async () => {
      await store.close();
      await t.cleanup();
    });

    it('stores content under its SHA-256 and reads it back', async () => {
      const body = Buffer.from('hello, reelforge');
      const put = await store.put(Readable.from([body]));
      expect(put).toEqual({ hash: sha(body), bytes: body.length, created: true });
      expect(await store.stat(put.hash)).toEqual({ hash: put.hash, bytes: body.length });
      expect(await readAll(await store.read(put.hash))).toEqual(body);
    });

    it('stores identical content once', async () => {
      const body = Buffer.from('same bytes');
      const a = await store.put(Readable.from([body]));
      const b = await store.put(Readable.from([body.subarray(0, 4), body.subarray(4)]));
      expect(b.hash).toBe(a.hash);
      expect(b.created).toBe(false);
      expect(await listAll(store)).toEqual([a.hash]);
    });

    it('stores identical content once when both arrive at the same time', async () => {
      const results = await Promise.all([1, 2, 3].map(() => store.put(chunks(20, 1000))));
      expect(new Set(results.map((r) => r.hash)).size).toBe(1);
      expect(await listAll(store)).toEqual([results[0]!.hash]);
    });

    it('streams larger content in chunks with the right hash and size', async () => {
      const expected = await readAll(chunks(64, 65_536));
      const put = await store.put(chunks(64, 65_536));
      expect(put.bytes).toBe(expected.length);
      expect(put.hash).toBe(sha(expected));
    });

    it('stores empty content', async () => {
      const put = await store.put(Readable.from([]));
      expect(put.bytes).toBe(0);
      expect(put.hash).toBe(sha(Buffer.alloc(0)));
      expect((await readAll(await store.read(put.hash))).length).toBe(0);
    });

    it('reads byte ranges, both ends included', async () => {
      const body = Buffer.from('0123456789abcdef');
      const { hash } = await store.put(Readable.from([body]));
      expect((await readAll(await store.read(hash, { start: 0, end: 0 }))).toString()).toBe('0');
      expect((await readAll(await store.read(hash, { start: 10, end: 15 }))).toString()).toBe('abcdef');
      expect((await readAll(await store.read(hash, { start: 3, end: 5 }))).toString()).toBe('345');
    });

    it('refuses content over maxBytes with UPLOAD_TOO_LARGE and keeps nothing', async () => {
      expect(await codeOf(store.put(chunks(10, 1000), { maxBytes: 5000 }))).toBe('UPLOAD_TOO_LARGE');
      expect(await listAll(store)).toEqual([]);
      const exact = await store.put(chunks(5, 1000), { maxBytes: 5000 });
      expect(exact.bytes).toBe(5000);
    });

    it('keeps nothing when the source fails or the put is aborted', async () => {
      expect(await codeOf(store.put(chunks(5, 1000, new Error('connection reset'))))).not.toBe('resolved');
      const controller = new AbortController();
      const slow = new Readable({ read() {} });
      slow.push(Buffer.alloc(100));
      const pending = store.put(slow, { signal: controller.signal });
      setTimeout(() => controller.abort(), 20);
      expect(await codeOf(pending)).not.toBe('resolved');
      expect(await listAll(store)).toEqual([]);
    });

    it('treats unknown and malformed hashes as absent, never as paths', async () => {
      const unknown = sha(Buffer.from('never stored'));
      for (const hash of [unknown, '../../etc/passwd', 'ABC', `${unknown}/..`, '']) {
        expect(await store.stat(hash)).toBeNull();
        expect(await codeOf(store.read(hash))).toBe('BLOB_NOT_FOUND');
        expect(await codeOf(store.localPath(hash))).toBe('BLOB_NOT_FOUND');
        expect(await store.delete(hash)).toBe(false);
      }
    });

    it('deletes content; a second delete finds nothing', async () => {
      const { hash } = await store.put(Readable.from([Buffer.from('to delete')]));
      expect(await store.delete(hash)).toBe(true);
      expect(await store.stat(hash)).toBeNull();
      expect(await store.delete(hash)).toBe(false);
      expect(await codeOf(store.read(hash))).toBe('BLOB_NOT_FOUND');
    });

    it('gives a local file with the content, for ffmpeg', async () => {
      const body = Buffer.from('frames and samples');
      const { hash } = await store.put(Readable.from([body]));
      expect(await readFile(await store.localPath(hash))).toEqual(body);
    });

    it('stores a local file and leaves the file in place', async () => {
      const path = join(t.scratch, 'output.bin');
      const body = Buffer.from('rendered output');
      await writeFile(path, body);
      const put = await store.putFile(path);
      expect(put.hash).toBe(sha(body));
      expect(await readFile(path)).toEqual(body);
      expect(await listAll(store)).toEqual([put.hash]);
    });

    it('adopts a file hashed by the caller: stored under that hash, the file left alone, sizes checked', async () => {
      const path = join(t.scratch, 'upload.bin');
      const body = Buffer.from('bytes hashed while they arrived');
      await writeFile(path, body);
      const known = { hash: sha(body), bytes: body.length };
      expect(await store.adoptFile(path, known)).toEqual({ ...known, created: true });
      expect(await readAll(await store.read(known.hash))).toEqual(body);
      expect(await readFile(path)).toEqual(body);
      expect(await store.adoptFile(path, known)).toEqual({ ...known, created: false });
      expect(await codeOf(store.adoptFile(path, { hash: sha(Buffer.from('x')), bytes: 1 }))).toBe('INTERNAL');
      expect(await listAll(store)).toEqual([known.hash]);
      // The upload's file may be removed afterwards; the stored content stays.
      await rm(path);
      expect(await readAll(await store.read(known.hash))).toEqual(body);
    });
  });
}
