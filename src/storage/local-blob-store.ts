import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { link, mkdir, open, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { type Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ReelforgeError } from '../errors.js';
import {
  type BlobInfo,
  type BlobStore,
  type ByteRange,
  isBlobHash,
  type PutOptions,
  type PutResult,
} from './blob-store.js';
import { blobNotFound, uploadTooLarge } from './storage-errors.js';

/** Leftover partial files older than this are removed when a store opens (a crash mid-upload). */
const STALE_PART_MS = 24 * 3_600_000;

/** Hashes bytes as they pass and stops the stream once more than `maxBytes` arrived. */
class HashingLimiter extends Transform {
  readonly hash = createHash('sha256');
  bytes = 0;

  constructor(private readonly maxBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) {
      done(uploadTooLarge(this.maxBytes));
      return;
    }
    this.hash.update(chunk);
    done(null, chunk);
  }
}

/**
 * Blobs as files under `<root>/sha256/ab/cd/<hash>`. Content is streamed to `<root>/tmp`, hashed on
 * the way, flushed to disk and renamed into place, so a blob file is always complete.
 */
export class LocalBlobStore implements BlobStore {
  readonly kind = 'local';
  private readonly tmp: string;
  private readonly objects: string;
  private ready: Promise<void> | null = null;

  constructor(readonly root: string) {
    this.tmp = join(root, 'tmp');
    this.objects = join(root, 'sha256');
  }

  /** Creates the folders and removes stale partial files; called by every operation. */
  private init(): Promise<void> {
    this.ready ??= (async () => {
      await mkdir(this.tmp, { recursive: true });
      await mkdir(this.objects, { recursive: true });
      const now = Date.now();
      for (const name of await readdir(this.tmp)) {
        const path = join(this.tmp, name);
        const s = await stat(path).catch(() => null);
        if (s && now - s.mtimeMs > STALE_PART_MS) await rm(path, { force: true });
      }
    })();
    return this.ready;
  }

  private pathOf(hash: string): string {
    if (!isBlobHash(hash)) throw blobNotFound(hash);
    return join(this.objects, hash.slice(0, 2), hash.slice(2, 4), hash);
  }

  async put(source: Readable | AsyncIterable<Uint8Array>, options: PutOptions = {}): Promise<PutResult> {
    await this.init();
    const part = join(this.tmp, `${randomBytes(12).toString('hex')}.part`);
    const limiter = new HashingLimiter(options.maxBytes ?? Number.POSITIVE_INFINITY);
    try {
      await pipeline(source, limiter, createWriteStream(part, { flags: 'wx' }), { signal: options.signal });
      await flushToDisk(part);
      const hash = limiter.hash.digest('hex');
      const final = this.pathOf(hash);
      if (await exists(final)) return { hash, bytes: limiter.bytes, created: false };
      await mkdir(join(final, '..'), { recursive: true });
      await rename(part, final);
      return { hash, bytes: limiter.bytes, created: true };
    } finally {
      await rm(part, { force: true });
    }
  }

  putFile(path: string, options: PutOptions = {}): Promise<PutResult> {
    return this.put(createReadStream(path), options);
  }

  /**
   * A hard link into place (no second copy of the bytes, no second read to hash them): the upload's
   * file and the blob share the data until the upload is removed. On another filesystem, or where
   * links are not allowed, the content is copied (and hashed) as putFile does.
   */
  async adoptFile(path: string, known: BlobInfo, options: { signal?: AbortSignal } = {}): Promise<PutResult> {
    await this.init();
    const final = this.pathOf(known.hash);
    const size = (await stat(path)).size;
    if (size !== known.bytes) {
      throw new ReelforgeError(
        'INTERNAL',
        `${path} holds ${size} bytes, not ${known.bytes} as it was hashed`,
        {
          status: 500,
          retryable: true,
        },
      );
    }
    if (await exists(final)) return { ...known, created: false };
    await flushToDisk(path);
    await mkdir(join(final, '..'), { recursive: true });
    try {
      await link(path, final);
      return { ...known, created: true };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return { ...known, created: false };
      if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'ENOTSUP') throw e;
    }
    const put = await this.putFile(path, { maxBytes: known.bytes, signal: options.signal });
    if (put.hash !== known.hash) {
      if (put.created) await this.delete(put.hash);
      throw new ReelforgeError('INTERNAL', `${path} hashes to ${put.hash}, not ${known.hash} as it arrived`, {
        status: 500,
        retryable: true,
      });
    }
    return put;
  }

  async stat(hash: string): Promise<BlobInfo | null> {
    if (!isBlobHash(hash)) return null;
    const s = await stat(this.pathOf(hash)).catch(() => null);
    return s?.isFile() ? { hash, bytes: s.size } : null;
  }

  async read(hash: string, range?: ByteRange): Promise<Readable> {
    const path = this.pathOf(hash);
    const file = await open(path, 'r').catch((e: NodeJS.ErrnoException) => {
      throw e.code === 'ENOENT' ? blobNotFound(hash) : e;
    });
    return file.createReadStream(range ? { start: range.start, end: range.end } : {});
  }

  async localPath(hash: string): Promise<string> {
    const path = this.pathOf(hash);
    if (!(await exists(path))) throw blobNotFound(hash);
    return path;
  }

  async delete(hash: string): Promise<boolean> {
    if (!isBlobHash(hash)) return false;
    try {
      await unlink(this.pathOf(hash));
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw e;
    }
  }

  async *list(): AsyncIterable<BlobInfo> {
    await this.init();
    for (const a of await readdir(this.objects)) {
      for (const b of await readdir(join(this.objects, a)).catch(() => [])) {
        for (const name of await readdir(join(this.objects, a, b)).catch(() => [])) {
          if (!isBlobHash(name)) continue;
          const info = await this.stat(name);
          if (info) yield info;
        }
      }
    }
  }

  async close(): Promise<void> {
    // Nothing held open between calls.
  }
}

/** Makes a written file durable before it is renamed into place. */
async function flushToDisk(path: string): Promise<void> {
  const file = await open(path, 'r+');
  try {
    await file.sync();
  } finally {
    await file.close();
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
