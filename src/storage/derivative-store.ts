import type { Readable } from 'node:stream';
import { ReelforgeError } from '../errors.js';
import type { SqliteDatabase } from '../jobs/index.js';
import type { BlobStore, ByteRange } from './blob-store.js';
import type { KeyedMutex } from './keyed-mutex.js';
import { assetNotFound } from './storage-errors.js';

/** What a derivative is for; clients pick by kind, not by name. */
export const derivativeKinds = [
  'variant', // an image in another format or size (WebP, AVIF)
  'thumbnail', // a small image for lists
  'poster', // a video's still
  'sprite', // a video's thumbnail strip (tiles in one image)
  'thumbnails', // WebVTT cues pointing into the sprite
  'proxy', // a low-resolution, keyframe-dense video for the preview system
  'metadata', // JSON: what the processing measured
  'waveform', // JSON peaks, or their picture
  'loudness', // JSON: EBU R128
  'page', // a PDF page, stored as an image asset of its own
] as const;
export type DerivativeKind = (typeof derivativeKinds)[number];

/** A file made from an asset by its processing job. Its bytes are the blob named by `hash`. */
export interface Derivative {
  assetId: string;
  /** Unique per asset, `[a-z0-9][a-z0-9._-]*` (e.g. `image-2048.webp`, `proxy.mp4`). */
  name: string;
  kind: DerivativeKind;
  mime: string;
  hash: string;
  bytes: number;
  meta: Record<string, unknown>;
  createdAt: number;
}

export type NewDerivative = Omit<Derivative, 'assetId' | 'createdAt'>;

/** Derivative names: safe in URLs and never a path. */
export const DERIVATIVE_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

interface Row {
  asset_id: string;
  name: string;
  kind: DerivativeKind;
  mime: string;
  hash: string;
  bytes: number;
  meta: string;
  created_at: number;
}

const toDerivative = (r: Row): Derivative => ({
  assetId: r.asset_id,
  name: r.name,
  kind: r.kind,
  mime: r.mime,
  hash: r.hash,
  bytes: r.bytes,
  meta: JSON.parse(r.meta) as Record<string, unknown>,
  createdAt: r.created_at,
});

export function derivativeNotFound(assetId: string, name: string): ReelforgeError {
  return new ReelforgeError(
    'DERIVATIVE_NOT_FOUND',
    `asset ${assetId} has no derivative "${name}"; GET /assets/${assetId}/derivatives lists what exists`,
    { status: 404, retryable: false, details: { assetId, name } },
  );
}

/** SQL for `server_asset_derivatives`. Synchronous (better-sqlite3). */
export class DerivativeStore {
  constructor(private readonly db: SqliteDatabase) {}

  list(assetId: string): Derivative[] {
    const rows = this.db
      .prepare('SELECT * FROM server_asset_derivatives WHERE asset_id = ? ORDER BY kind, name')
      .all(assetId) as Row[];
    return rows.map(toDerivative);
  }

  get(assetId: string, name: string): Derivative | undefined {
    const row = this.db
      .prepare('SELECT * FROM server_asset_derivatives WHERE asset_id = ? AND name = ?')
      .get(assetId, name) as Row | undefined;
    return row && toDerivative(row);
  }

  /** The video proxy of an asset, if it has one. */
  proxyOf(assetId: string): Derivative | undefined {
    const row = this.db
      .prepare("SELECT * FROM server_asset_derivatives WHERE asset_id = ? AND kind = 'proxy' LIMIT 1")
      .get(assetId) as Row | undefined;
    return row && toDerivative(row);
  }

  /**
   * Replaces all of an asset's derivatives in one transaction (a reader sees the old set or the new one).
   * ASSET_NOT_FOUND when the asset was deleted meanwhile. Returns the hashes the old set named that the
   * new one does not, for the caller to tidy.
   */
  replace(assetId: string, items: readonly NewDerivative[], now: number): string[] {
    for (const d of items) {
      if (!DERIVATIVE_NAME.test(d.name)) throw new Error(`bad derivative name ${JSON.stringify(d.name)}`);
    }
    return this.db
      .transaction(() => {
        const exists = this.db.prepare('SELECT 1 FROM server_assets WHERE id = ?').get(assetId);
        if (!exists) throw assetNotFound(assetId);
        const old = this.hashesOf(assetId);
        this.db.prepare('DELETE FROM server_asset_derivatives WHERE asset_id = ?').run(assetId);
        const insert = this.db.prepare(
          'INSERT INTO server_asset_derivatives (asset_id, name, kind, mime, hash, bytes, meta, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        );
        for (const d of items) {
          insert.run(assetId, d.name, d.kind, d.mime, d.hash, d.bytes, JSON.stringify(d.meta), now);
        }
        const kept = new Set(items.map((d) => d.hash));
        return old.filter((h) => !kept.has(h));
      })
      .immediate();
  }

  /**
   * Another asset with the same content whose derivatives can be shared: it has some, and none of them
   * is a page (a PDF's pages are assets of its owner, not shareable).
   */
  twinOf(assetId: string, hash: string): string | undefined {
    return this.db
      .prepare(
        `SELECT a.id FROM server_assets a WHERE a.hash = ? AND a.id != ?
           AND EXISTS (SELECT 1 FROM server_asset_derivatives d WHERE d.asset_id = a.id)
           AND NOT EXISTS (SELECT 1 FROM server_asset_derivatives d WHERE d.asset_id = a.id AND d.kind = 'page')
         ORDER BY a.created_at LIMIT 1`,
      )
      .pluck()
      .get(hash, assetId) as string | undefined;
  }

  /** The distinct blobs an asset's derivatives name. */
  hashesOf(assetId: string): string[] {
    return this.db
      .prepare('SELECT DISTINCT hash FROM server_asset_derivatives WHERE asset_id = ?')
      .pluck()
      .all(assetId) as string[];
  }
}

/**
 * A file produced by processing, before it is stored: a local file (in the job's working folder), or
 * content already in the blob store (a PDF page that became an asset of its own).
 */
export type DerivativeFile = Omit<NewDerivative, 'hash' | 'bytes'> &
  ({ path: string } | { stored: { hash: string; bytes: number } });

export interface DerivativesDeps {
  store: DerivativeStore;
  blobs: BlobStore;
  /** The same per-hash lock the asset library uses around "delete content nothing uses". */
  locks: KeyedMutex;
  /** Whether any record (asset, render, derivative) still names a blob. */
  isHashReferenced: (hash: string) => boolean;
  now?: () => number;
}

/** Derivatives with their bytes: publishing a new set atomically, reading, and tidying blobs. */
export class Derivatives {
  private readonly now: () => number;

  constructor(private readonly deps: DerivativesDeps) {
    this.now = deps.now ?? Date.now;
  }

  list(assetId: string): Derivative[] {
    return this.deps.store.list(assetId);
  }

  /** One derivative, or DERIVATIVE_NOT_FOUND. The caller has checked that the asset is the owner's. */
  get(assetId: string, name: string): Derivative {
    const d = DERIVATIVE_NAME.test(name) ? this.deps.store.get(assetId, name) : undefined;
    if (!d) throw derivativeNotFound(assetId, name);
    return d;
  }

  open(d: Derivative, range?: ByteRange): Promise<Readable> {
    return this.deps.blobs.read(d.hash, range);
  }

  /**
   * The preview proxy of a video asset: a local file ffmpeg can open, or null when the asset has none
   * (not a video, not processed yet). For the preview system.
   */
  async proxyFor(
    assetId: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<(Derivative & { path: string }) | null> {
    const d = this.deps.store.proxyOf(assetId);
    if (!d) return null;
    return { ...d, path: await this.deps.blobs.localPath(d.hash, options) };
  }

  /**
   * Stores the files and makes them the asset's derivatives in one step, replacing the previous set;
   * blobs only the previous set used are deleted. ASSET_NOT_FOUND (and nothing kept) when the asset
   * was deleted meanwhile.
   */
  async publish(
    assetId: string,
    files: readonly DerivativeFile[],
    options: { signal?: AbortSignal } = {},
  ): Promise<Derivative[]> {
    const { blobs, store, locks } = this.deps;
    const items: NewDerivative[] = [];
    for (const f of files) {
      const put = 'stored' in f ? f.stored : await blobs.putFile(f.path, { signal: options.signal });
      items.push({
        name: f.name,
        kind: f.kind,
        mime: f.mime,
        meta: f.meta,
        hash: put.hash,
        bytes: put.bytes,
      });
    }
    let removed: string[];
    try {
      removed = store.replace(assetId, items, this.now());
    } catch (e) {
      await this.dropUnreferenced(items.map((d) => d.hash));
      throw e;
    }
    // A delete of identical content that ran between the put and the record may have removed a blob.
    for (const [i, f] of files.entries()) {
      if (!('path' in f)) continue;
      const hash = items[i]!.hash;
      await locks.run(hash, async () => {
        if (!(await blobs.stat(hash))) await blobs.putFile(f.path, { signal: options.signal });
      });
    }
    await this.dropUnreferenced(removed);
    return store.list(assetId);
  }

  /**
   * Gives an asset the derivatives of another asset with identical content (a de-duplicated upload), so
   * they are not made twice: same blobs, new records. Null when there is no such asset, or when a blob
   * it names went meanwhile (then the asset is left with no derivatives, to be processed normally).
   */
  async copyFromTwin(asset: {
    id: string;
    hash: string;
  }): Promise<{ from: string; items: Derivative[] } | null> {
    const { store, blobs, locks } = this.deps;
    const twin = store.twinOf(asset.id, asset.hash);
    if (!twin) return null;
    const items = store.list(twin).map(({ assetId: _a, createdAt: _c, ...d }) => d);
    const removed = store.replace(asset.id, items, this.now());
    await this.dropUnreferenced(removed);
    // The twin may have been deleted, and its blobs with it, before these records existed.
    for (const hash of new Set(items.map((d) => d.hash))) {
      const present = await locks.run(hash, async () => (await blobs.stat(hash)) !== null);
      if (!present) {
        await this.dropUnreferenced(store.replace(asset.id, [], this.now()));
        return null;
      }
    }
    return { from: twin, items: store.list(asset.id) };
  }

  /** Deletes those blobs that no record names any more. */
  async dropUnreferenced(hashes: readonly string[]): Promise<void> {
    for (const hash of new Set(hashes)) {
      await this.deps.locks.run(hash, async () => {
        if (!this.deps.isHashReferenced(hash)) await this.deps.blobs.delete(hash);
      });
    }
  }

  /** The blobs an asset's derivatives name (read before deleting the asset, tidied after). */
  hashesOf(assetId: string): string[] {
    return this.deps.store.hashesOf(assetId);
  }
}
