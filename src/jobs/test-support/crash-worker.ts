/**
 * A job worker in a process of its own, for the crash test (`node --import tsx crash-worker.ts`).
 * Configuration comes as JSON in RF_TEST_CONFIG; prints "ready" once it is looking for work.
 */
import { loadConfig } from '../../config/load-config.js';
import type { ConfigInput } from '../../config/schema.js';
import { createLogger } from '../../log.js';
import { createJobQueue } from '../create-job-queue.js';
import { crashableHandler } from './crashable-handler.js';

const config = loadConfig(JSON.parse(process.env.RF_TEST_CONFIG ?? '{}') as ConfigInput);
const queue = createJobQueue(config, { log: createLogger({ level: 'warn' }), handlers: [crashableHandler] });
queue.startWorker({ pollMs: 25, heartbeatMs: 100, maintenanceMs: 100, shutdownGraceMs: 0 });
process.on('SIGTERM', () => {
  void queue.close().finally(() => process.exit(0));
});
process.stdout.write('ready\n');
