import type { Readable } from 'node:stream';

/** A stored piece of content, named by the SHA-256 of its bytes (lower-case hex). */
export interface BlobInfo {
  hash: string;
  bytes: number;
}

export interface PutResult extends BlobInfo {
  /** False when identical content was already stored (nothing new was written). */
  created: boolean;
}

/** Bytes `start` to `end`, both included (as in an HTTP Range header). */
export interface ByteRange {
  start: number;
  end: number;
}

export interface PutOptions {
  /** Refuse (UPLOAD_TOO_LARGE) as soon as more bytes than this arrive; nothing is kept. */
  maxBytes?: number;
  signal?: AbortSignal;
}

/**
 * Content-addressed storage: identical bytes are stored once. Local disk today, object storage later;
 * every implementation passes `runBlobStoreSuite`. Hashes are validated before use, so a caller's string
 * never becomes a path; an unknown or malformed hash is BLOB_NOT_FOUND.
 */
export interface BlobStore {
  readonly kind: string;
  /** Stores a byte stream; the content appears whole under its hash or not at all. */
  put(source: Readable | AsyncIterable<Uint8Array>, options?: PutOptions): Promise<PutResult>;
  /** Stores a local file's content (a render's output); the file itself is left alone. */
  putFile(path: string, options?: PutOptions): Promise<PutResult>;
  /**
   * Stores a local file whose SHA-256 the caller computed while writing it (an upload hashed as it
   * arrived), without reading it again where the store can (a hard link on the same disk). The file
   * itself is left alone. A size other than `known.bytes` is refused.
   */
  adoptFile(path: string, known: BlobInfo, options?: { signal?: AbortSignal }): Promise<PutResult>;
  stat(hash: string): Promise<BlobInfo | null>;
  /** The content, or a range of it. BLOB_NOT_FOUND when absent. */
  read(hash: string, range?: ByteRange): Promise<Readable>;
  /** A local file with the content that ffmpeg can open (object stores download it to a cache). */
  localPath(hash: string, options?: { signal?: AbortSignal }): Promise<string>;
  /** True when something was deleted. */
  delete(hash: string): Promise<boolean>;
  list(): AsyncIterable<BlobInfo>;
  close(): Promise<void>;
}

const HASH = /^[0-9a-f]{64}$/;

export function isBlobHash(value: string): boolean {
  return HASH.test(value);
}
