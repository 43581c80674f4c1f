import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '../../test/helpers/paths.js';
import { runBlobStoreSuite } from './conformance/blob-store-suite.js';
import { LocalBlobStore } from './local-blob-store.js';

runBlobStoreSuite('local disk', async () => {
  const dir = makeTempDir('blobs');
  const scratch = join(dir, 'scratch');
  mkdirSync(scratch);
  return {
    store: new LocalBlobStore(join(dir, 'blobs')),
    scratch,
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});
