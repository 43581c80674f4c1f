import type { Readable } from 'node:stream';
import type { Ffmpeg } from '../media/index.js';
import type { Asset, AssetQuery, AssetStore, Page } from './asset-store.js';
import type { BlobStore, ByteRange } from './blob-store.js';
import { newId } from './ids.js';
import type { KeyedMutex } from './keyed-mutex.js';
import { type Inspection, inspectMedia } from './media-inspect.js';
import { assetInUse, assetNotFound, blobNotFound, storageFull } from './storage-errors.js';

export interface AssetLibraryDeps {
  store: AssetStore;
  blobs: BlobStore;
  /** Serialises "record content" against "delete content nothing uses" per hash. */
  locks: KeyedMutex;
  ffmpeg: () => Promise<Ffmpeg>;
  /** Free space of the data folder in MB, or null when unknown. */
  freeDiskMb: () => Promise<number | null>;
  minFreeDiskMb: number;
  uploadBytes: number;
  /** Whether a render still runs (or waits); used to clear stale "in use" marks. */
  isRenderActive: (renderId: string) => Promise<boolean>;
  /** Marks a render finished so it no longer holds its assets. */
  markRenderFinished: (renderId: string) => void;
  now?: () => number;
}

/** A display name from an upload: the last path segment, control characters removed, at most 200 characters. */
export function displayName(raw: string | undefined): string {
  const last = (raw ?? '').split(/[/\\]/).pop() ?? '';
  const clean = last.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return clean.slice(0, 200) || 'upload';
}

/**
 * The media library: uploads are stored once per content (SHA-256), described by sharp or ffprobe, and
 * deleted only when nothing uses them. Every lookup is by owner: another owner's asset does not exist.
 */
export class AssetLibrary {
  private readonly now: () => number;

  constructor(private readonly deps: AssetLibraryDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** Refuses new bytes when the data folder is nearly full (STORAGE_FULL). */
  async assertSpace(): Promise<void> {
    const free = await this.deps.freeDiskMb();
    if (free !== null && free < this.deps.minFreeDiskMb) throw storageFull(free, this.deps.minFreeDiskMb);
  }

  async upload(
    owner: string,
    rawName: string | undefined,
    body: Readable,
    signal?: AbortSignal,
  ): Promise<Asset> {
    const { blobs, store, locks } = this.deps;
    await this.assertSpace();
    const name = displayName(rawName);
    const put = await blobs.put(body, { maxBytes: this.deps.uploadBytes, signal });
    return locks.run(put.hash, async () => {
      try {
        // Identical content already described needs no second look.
        const known = store.inspectionOf(put.hash);
        const inspection =
          known ?? (await inspectMedia(await this.deps.ffmpeg(), await blobs.localPath(put.hash), name));
        if (!(await blobs.stat(put.hash))) throw blobNotFound(put.hash); // removed meanwhile: upload again
        const asset: Asset = {
          id: newId('asset'),
          owner,
          name,
          ...inspection,
          hash: put.hash,
          bytes: put.bytes,
          createdAt: this.now(),
        };
        store.insert(asset);
        return asset;
      } catch (e) {
        if (!store.isHashReferenced(put.hash)) await blobs.delete(put.hash);
        throw e;
      }
    });
  }

  /**
   * Records a finished file whose SHA-256 is already known (a tus upload hashed as it arrived). When
   * that content is already stored the new asset references it and nothing is copied; otherwise the
   * file is stored once. `check` sees what the file is first and may refuse it (size or duration
   * limits): then nothing is kept. The file itself is left for the caller to delete.
   */
  async adoptFile(
    owner: string,
    rawName: string | undefined,
    path: string,
    known: { hash: string; bytes: number },
    check?: (inspection: Inspection) => void,
  ): Promise<{ asset: Asset; deduplicated: boolean }> {
    const { blobs, store, locks } = this.deps;
    const name = displayName(rawName);
    return locks.run(known.hash, async () => {
      const inspection =
        store.inspectionOf(known.hash) ?? (await inspectMedia(await this.deps.ffmpeg(), path, name));
      check?.(inspection);
      const deduplicated = (await blobs.stat(known.hash)) !== null;
      let created = false;
      if (!deduplicated) {
        await this.assertSpace();
        // Hashed as it arrived: linked into the store, not read and written a second time.
        created = (await blobs.adoptFile(path, known)).created;
      }
      const asset: Asset = {
        id: newId('asset'),
        owner,
        name,
        ...inspection,
        hash: known.hash,
        bytes: known.bytes,
        createdAt: this.now(),
      };
      try {
        store.insert(asset);
      } catch (e) {
        if (created && !store.isHashReferenced(known.hash)) await blobs.delete(known.hash);
        throw e;
      }
      return { asset, deduplicated };
    });
  }

  /** Bytes of the owner's media library (content shared between items counts for each). */
  bytesUsed(owner: string): number {
    let total = 0;
    for (let offset = 0; ; offset += 500) {
      const page = this.deps.store.list(owner, { limit: 500, offset });
      for (const a of page.items) total += a.bytes;
      if (page.items.length < 500) return total;
    }
  }

  get(owner: string, id: string): Asset {
    const a = this.deps.store.get(owner, id);
    if (!a) throw assetNotFound(id);
    return a;
  }

  list(owner: string, query: AssetQuery): Page<Asset> {
    return this.deps.store.list(owner, query);
  }

  /** The asset's bytes (or a range of them). */
  async open(asset: Asset, range?: ByteRange): Promise<Readable> {
    return this.deps.blobs.read(asset.hash, range);
  }

  /**
   * Deletes an asset that no project's current timeline and no unfinished render uses (ASSET_IN_USE
   * names them otherwise); its content goes too when no other record names it.
   */
  async delete(owner: string, id: string): Promise<void> {
    const { store, blobs, locks } = this.deps;
    const asset = this.get(owner, id);
    // Renders that ended while nobody looked no longer hold the asset.
    for (const renderId of store.users(id).renders) {
      if (!(await this.deps.isRenderActive(renderId))) this.deps.markRenderFinished(renderId);
    }
    const users = store.users(id);
    if (users.projects.length > 0 || users.renders.length > 0) throw assetInUse(id, users);
    store.delete(owner, id);
    await locks.run(asset.hash, async () => {
      if (!store.isHashReferenced(asset.hash)) await blobs.delete(asset.hash);
    });
  }
}
