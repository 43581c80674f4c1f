import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { runJobQueueSuite } from '../../../test/conformance/job-queue.js';
import { makeTempDir } from '../../../test/helpers/paths.js';
import { silentLogger } from '../../log.js';
import { createHandlerRegistry } from '../handlers.js';
import { createManagedJobQueue } from '../managed-job-queue.js';
import { openDatabase } from './open-database.js';
import { SqliteJobStore } from './sqlite-job-store.js';

runJobQueueSuite('sqlite', async () => {
  const dir = makeTempDir('jobs-sqlite');
  const path = join(dir, 'reelforge.db');
  return {
    open({ handlers, clock, workerDefaults }) {
      const log = silentLogger();
      const store = new SqliteJobStore(openDatabase(path), {
        log,
        clock,
        eventPollMs: 20,
        ownsDatabase: true,
      });
      return createManagedJobQueue({
        store,
        handlers: createHandlerRegistry(handlers),
        log,
        clock,
        workerDefaults,
      });
    },
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});
