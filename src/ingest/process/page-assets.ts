import sharp from 'sharp';
import type { Asset, AssetStore } from '../../storage/asset-store.js';
import type { BlobStore } from '../../storage/blob-store.js';
import type { DerivativeFile } from '../../storage/derivative-store.js';
import { newId } from '../../storage/ids.js';
import type { KeyedMutex } from '../../storage/keyed-mutex.js';
import { pageNumberOf } from './pdf-pages.js';

export interface PageAssetDeps {
  assets: AssetStore;
  blobs: BlobStore;
  locks: KeyedMutex;
  now: () => number;
}

/** The derivative name of a page: `page-001.png`. */
export const pageName = (page: number) => `page-${String(page).padStart(3, '0')}.png`;

/**
 * Makes each rendered page an image asset of the PDF's owner and lists it as a derivative of the PDF.
 * A re-run reuses the page assets of the previous run when their content is the same, so processing
 * twice does not fill the library with copies. Returns the derivatives and the assets created now.
 */
export async function storePageAssets(
  deps: PageAssetDeps,
  pdf: Asset,
  pages: readonly string[],
  previous: ReadonlyMap<string, string>,
  signal: AbortSignal,
): Promise<{ files: DerivativeFile[]; created: Asset[] }> {
  const files: DerivativeFile[] = [];
  const created: Asset[] = [];
  for (const file of pages) {
    signal.throwIfAborted();
    const page = pageNumberOf(file);
    const name = pageName(page);
    const m = await sharp(file, { failOn: 'error' }).metadata();
    const put = await deps.blobs.putFile(file, { signal });
    const asset = await deps.locks.run(put.hash, async () => {
      // A delete of identical content may have run between the put and now.
      if (!(await deps.blobs.stat(put.hash))) await deps.blobs.putFile(file, { signal });
      const before = previous.get(name);
      const reused = before === undefined ? undefined : deps.assets.get(pdf.owner, before);
      if (reused && reused.hash === put.hash) return reused;
      const a: Asset = {
        id: newId('asset'),
        owner: pdf.owner,
        name: `${pdf.name.replace(/\.pdf$/i, '')} – page ${page}.png`.slice(0, 200),
        kind: 'image',
        mime: 'image/png',
        hash: put.hash,
        bytes: put.bytes,
        metadata: {
          format: 'png',
          width: m.width ?? null,
          height: m.height ?? null,
          durationSec: null,
          hasAlpha: m.hasAlpha === true,
          video: null,
          audio: null,
        },
        createdAt: deps.now(),
      };
      deps.assets.insert(a);
      created.push(a);
      return a;
    });
    files.push({
      name,
      kind: 'page',
      mime: 'image/png',
      stored: { hash: put.hash, bytes: put.bytes },
      meta: { page, assetId: asset.id, width: m.width ?? null, height: m.height ?? null },
    });
  }
  return { files, created };
}
