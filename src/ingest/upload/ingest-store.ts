import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FileStore } from '@tus/file-store';
import { DataStore, ERRORS, type Upload } from '@tus/server';

/** Bytes gathered before a disk write (chunks from the socket are 64 KB). */
const WRITE_BUFFER = 1 << 20;

const isTusError = (e: unknown): boolean =>
  typeof e === 'object' && e !== null && 'status_code' in e && 'body' in e;

/** Told about every byte before it is stored; throwing refuses the upload (the write fails with that error). */
export interface ByteObserver {
  onBytes(upload: Upload, chunk: Buffer, offset: number): void;
  /** A PATCH body has been written up to `offset` (the bytes are on disk for readers of the file). */
  onWritten(upload: Upload, offset: number): void;
  /** An upload left the store (terminated, expired or deleted after completion or rejection). */
  onRemoved(id: string): void;
}

interface HashState {
  hash: Hash;
  /** Bytes hashed so far, from the start of the file. */
  bytes: number;
}

/**
 * The tus file store with SHA-256 computed chunk by chunk as bytes arrive, and an observer that sees
 * each chunk first (content checks, previews, progress). Hash states live in memory; after a restart
 * (or a failed write) the stored prefix is hashed once, on the next write or at completion.
 */
export class IngestStore extends DataStore {
  private readonly hashes = new Map<string, HashState>();

  constructor(
    private readonly inner: FileStore,
    private readonly observer: ByteObserver,
  ) {
    super();
    // No deferred length: every upload declares its size up front, so limits and quotas apply at creation.
    this.extensions = ['creation', 'creation-with-upload', 'termination', 'expiration'];
  }

  /** The file holding an upload's bytes (its name is the server-made id, never the client's file name). */
  pathOf(id: string): string {
    return `${this.inner.directory}/${id}`;
  }

  override create(file: Upload): Promise<Upload> {
    this.hashes.set(file.id, { hash: createHash('sha256'), bytes: 0 });
    return this.inner.create(file);
  }

  /** Ids of every stored upload. */
  async ids(): Promise<string[]> {
    return (await this.inner.configstore.list?.()) ?? [];
  }

  override getUpload(id: string): Promise<Upload> {
    return this.inner.getUpload(id);
  }

  override async remove(id: string): Promise<void> {
    this.hashes.delete(id);
    try {
      await this.inner.remove(id);
    } finally {
      this.observer.onRemoved(id);
    }
  }

  /**
   * Appends a PATCH body at `offset`: each chunk is shown to the observer, hashed, then written. Written
   * here rather than by the file store so the bytes pass through one transform, not a chain of them.
   */
  override async write(readable: Readable, id: string, offset: number): Promise<number> {
    const upload = await this.inner.getUpload(id);
    let state = this.hashes.get(id);
    if (!state || state.bytes !== offset) state = await this.rehash(upload, offset);
    const s = state;
    let refusal: unknown = null;
    const observer = this.observer;
    const tap = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        try {
          observer.onBytes(upload, chunk, s.bytes);
        } catch (e) {
          refusal = e;
          done(e as Error);
          return;
        }
        s.hash.update(chunk);
        s.bytes += chunk.length;
        done(null, chunk);
      },
    });
    const file = createWriteStream(this.pathOf(id), {
      flags: 'r+',
      start: offset,
      highWaterMark: WRITE_BUFFER,
    });
    try {
      await pipeline(readable, tap, file);
      this.observer.onWritten(upload, s.bytes);
      return s.bytes;
    } catch (e) {
      // Some hashed bytes may not have reached the disk: the next write or the digest hashes the file again.
      this.hashes.delete(id);
      if (refusal === null) throw isTusError(e) ? e : ERRORS.FILE_WRITE_ERROR;
      // Refused content is not kept: the write has ended, so its file is closed and can go.
      await this.remove(id).catch(() => undefined);
      throw refusal;
    }
  }

  override declareUploadLength(id: string, length: number): Promise<void> {
    return this.inner.declareUploadLength(id, length);
  }

  override async deleteExpired(): Promise<number> {
    const before = new Set(await this.inner.configstore.list?.());
    const n = await this.inner.deleteExpired();
    const after = new Set(await this.inner.configstore.list?.());
    for (const id of before) {
      if (after.has(id)) continue;
      this.hashes.delete(id);
      this.observer.onRemoved(id);
    }
    return n;
  }

  override getExpiration(): number {
    return this.inner.getExpiration();
  }

  /** Lower-case hex SHA-256 of a complete upload's `size` bytes; hashes the file once if the state was lost. */
  async digest(upload: Upload): Promise<string> {
    const size = upload.size ?? upload.offset;
    let state = this.hashes.get(upload.id);
    if (!state || state.bytes !== size) state = await this.rehash(upload, size, false);
    this.hashes.delete(upload.id);
    return state.hash.digest('hex');
  }

  /** Hashes the stored prefix (after a restart or a failed write), showing it to the observer again. */
  private async rehash(upload: Upload, bytes: number, observe = true): Promise<HashState> {
    const state: HashState = { hash: createHash('sha256'), bytes: 0 };
    if (bytes > 0) {
      const stream = createReadStream(this.pathOf(upload.id), { start: 0, end: bytes - 1 });
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        if (observe) this.observer.onBytes(upload, chunk, state.bytes);
        state.hash.update(chunk);
        state.bytes += chunk.length;
      }
    }
    this.hashes.set(upload.id, state);
    return state;
  }
}
