import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { rm, statfs } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Config } from './config/schema.js';
import {
  createAssetProcessingHandler,
  enqueueAssetProcessing,
  removeStaleWorkFolders,
} from './ingest/process/index.js';
import { UploadService } from './ingest/upload/index.js';
import {
  createJobQueue,
  DATABASE_FILE,
  type HardwareProfile,
  type JobWorker,
  type ManagedJobQueue,
  openDatabase,
  type SqliteDatabase,
} from './jobs/index.js';
import { createLogger, type Logger } from './log.js';
import { type Ffmpeg, findFfmpeg } from './media/index.js';
import { memoSuccess } from './memo.js';
import { createRenderJobHandler, Renders } from './render-jobs/index.js';
import { AssetLibrary } from './storage/asset-library.js';
import { AssetStore } from './storage/asset-store.js';
import type { BlobStore } from './storage/blob-store.js';
import { DerivativeStore, Derivatives } from './storage/derivative-store.js';
import { KeyedMutex } from './storage/keyed-mutex.js';
import { LocalBlobStore } from './storage/local-blob-store.js';
import { ProjectEvents } from './storage/project-events.js';
import { ProjectStore } from './storage/project-store.js';
import { Projects } from './storage/projects.js';
import { RenderStore } from './storage/render-store.js';
import { migrateServerSchema } from './storage/schema.js';
import { TokenStore } from './storage/token-store.js';

/** One readiness check: what it looked at, whether it is fine, and a line for a person. */
export interface ReadinessCheck {
  name: 'database' | 'disk' | 'ffmpeg' | 'queue';
  ok: boolean;
  detail: string;
  ms: number;
}

export interface ReadinessReport {
  ok: boolean;
  checks: ReadinessCheck[];
}

export interface DiskSpace {
  freeMb: number;
  totalMb: number;
}

/** Everything the server and the CLI use, built once from the configuration. */
export interface Services {
  readonly config: Readonly<Config>;
  readonly log: Logger;
  readonly db: SqliteDatabase;
  readonly blobs: BlobStore;
  readonly tokens: TokenStore;
  readonly assets: AssetLibrary;
  readonly projects: Projects;
  /** Project changes, for WebSocket subscribers. */
  readonly projectEvents: ProjectEvents;
  readonly renderRecords: RenderStore;
  readonly renders: Renders;
  /** Files made from assets by their processing jobs (variants, poster, strip, proxy, waveform …). */
  readonly derivatives: Derivatives;
  readonly queue: ManagedJobQueue;
  /** Resumable uploads (tus), checked and hashed as they arrive, stored as assets when complete. */
  readonly uploads: UploadService;
  /** Absolute path of the data folder. */
  readonly dataDir: string;
  /** ffmpeg and ffprobe, found (and version-checked) on first use; a failure is retried next time. */
  ffmpeg(): Promise<Ffmpeg>;
  diskSpace(): Promise<DiskSpace | null>;
  /** Database, free disk space, ffmpeg, queue backend: the checks behind `/ready` and `reelforge doctor`. */
  readiness(): Promise<ReadinessReport>;
  /** Starts the in-process job worker (idempotent); null when `server.runJobs` is off. */
  startJobs(): JobWorker | null;
  /** Stops the worker (running jobs are released for a retry), then closes everything in reverse. Idempotent. */
  close(): Promise<void>;
}

export interface CreateServicesOptions {
  /** A logger to use instead of one made from `config.log` (tests pass a silent one). */
  log?: Logger;
  /** For default job concurrency (default: the OS's cores and memory). */
  hardware?: HardwareProfile;
}

type Closer = readonly [name: string, close: () => unknown];

/** An idempotent close that runs the steps in reverse order and keeps going past a failing one. */
export function closeInReverse(steps: readonly Closer[], log: Logger): () => Promise<void> {
  let closing: Promise<void> | null = null;
  return () => {
    closing ??= (async () => {
      for (const [name, close] of [...steps].reverse()) {
        try {
          await close();
        } catch (e) {
          log.error({ err: e, step: name }, 'error while closing');
        }
      }
    })();
    return closing;
  };
}

async function timed(name: ReadinessCheck['name'], fn: () => Promise<string>): Promise<ReadinessCheck> {
  const t0 = performance.now();
  try {
    const detail = await fn();
    return { name, ok: true, detail, ms: Math.round(performance.now() - t0) };
  } catch (e) {
    const detail = e instanceof Error ? e.message.split('\n')[0]! : String(e);
    return { name, ok: false, detail, ms: Math.round(performance.now() - t0) };
  }
}

/**
 * Only the token store, for `reelforge token` (no queue, blob store or ffmpeg needed). Opening the
 * database here keeps construction in this file.
 */
export function openTokenStore(config: Readonly<Config>): { tokens: TokenStore; close(): void } {
  const dataDir = resolve(config.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const db = openDatabase(join(dataDir, DATABASE_FILE));
  try {
    migrateServerSchema(db);
    return { tokens: new TokenStore(db), close: () => db.close() };
  } catch (e) {
    db.close();
    throw e;
  }
}

/**
 * The composition root: the only place that constructs infrastructure (database, blob store, queue,
 * worker). Everything else receives what it needs from here.
 */
export async function createServices(
  config: Readonly<Config>,
  options: CreateServicesOptions = {},
): Promise<Services> {
  const log = options.log ?? createLogger(config.log);
  const dataDir = resolve(config.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const steps: Closer[] = [];
  const close = closeInReverse(steps, log);
  try {
    const db = openDatabase(join(dataDir, DATABASE_FILE));
    steps.push(['database', () => db.close()]);
    migrateServerSchema(db);
    const blobs = new LocalBlobStore(join(dataDir, 'blobs'));
    steps.push(['blobs', () => blobs.close()]);
    const tokens = new TokenStore(db);
    const ffmpeg = memoSuccess(() => findFfmpeg(config.media));
    let worker: JobWorker | null = null;
    const renderRecords = new RenderStore(db);
    const locks = new KeyedMutex();

    const diskSpace = async (): Promise<DiskSpace | null> => {
      try {
        const s = await statfs(dataDir);
        const mb = (blocks: number) => Math.floor((blocks * s.bsize) / 1_048_576);
        return { freeMb: mb(s.bavail), totalMb: mb(s.blocks) };
      } catch {
        return null;
      }
    };

    const assetStore = new AssetStore(db);
    const projectEvents = new ProjectEvents();
    const projectStore = new ProjectStore(db);
    const projects = new Projects({
      store: projectStore,
      assets: assetStore,
      events: projectEvents,
      timelineBytes: config.server.limits.timelineBytes,
    });
    const scratchDir = join(dataDir, 'scratch', 'renders');
    const renderHandler = createRenderJobHandler({
      projects,
      assets: assetStore,
      renders: renderRecords,
      blobs,
      ffmpeg,
      scratchDir,
    });
    const derivatives = new Derivatives({
      store: new DerivativeStore(db),
      blobs,
      locks,
      isHashReferenced: (hash) => assetStore.isHashReferenced(hash),
    });
    const processScratchDir = join(dataDir, 'scratch', 'ingest');
    const processHandler = createAssetProcessingHandler({
      assets: assetStore,
      derivatives,
      blobs,
      locks,
      ffmpeg,
      scratchDir: processScratchDir,
      // Pages of a PDF become image assets, processed in turn (the queue exists by the time a job runs).
      onPageAsset: async (a) => void (await enqueueAssetProcessing(queue, { assetId: a.id, owner: a.owner })),
    });
    const queue = createJobQueue(config, {
      log,
      handlers: [renderHandler, processHandler],
      db,
      hardware: options.hardware,
    });
    // Closing the queue closes its workers first: running jobs get the shutdown grace, then are requeued.
    steps.push(['job queue', () => queue.close()]);
    const assets = new AssetLibrary({
      store: assetStore,
      blobs,
      locks,
      ffmpeg,
      freeDiskMb: async () => (await diskSpace())?.freeMb ?? null,
      minFreeDiskMb: config.server.limits.minFreeDiskMb,
      uploadBytes: config.server.limits.uploadBytes,
      isRenderActive: (id): Promise<boolean> => renders.isActive(id),
      markRenderFinished: (id) => renderRecords.markFinished(id, Date.now()),
    });

    const uploads = new UploadService({
      dir: join(dataDir, 'uploads'),
      config: config.ingest,
      assets,
      ffmpeg,
      onAsset: (a) => enqueueAssetProcessing(queue, a),
      log: log.child({ component: 'uploads' }),
    });
    steps.push(['uploads', () => uploads.close()]);

    const renders = new Renders({
      projects,
      records: renderRecords,
      queue,
      blobs,
      transaction: (fn) => projectStore.transaction(fn),
      assertSpace: (): Promise<void> => assets.assertSpace(),
    });
    // A render holds its assets until its job ends, wherever the job ran.
    const unsubscribe = queue.subscribe(
      (e) => {
        if (renderRecords.getAny(e.jobId)) renderRecords.markFinished(e.jobId, e.at);
      },
      { types: ['job.completed', 'job.failed', 'job.cancelled'] },
    );
    steps.push(['job events', unsubscribe]);

    /** Removes working folders of attempts that no longer run (a crash leaves them behind). */
    const cleanScratch = async (names: readonly string[]) => {
      for (const name of names) {
        const jobId = name.slice(0, name.indexOf('-'));
        if (!(await renders.isActive(jobId)))
          await rm(join(scratchDir, name), { recursive: true, force: true });
      }
    };

    const readiness = async (): Promise<ReadinessReport> => {
      const minMb = config.server.limits.minFreeDiskMb;
      const checks = await Promise.all([
        timed('database', async () => {
          db.prepare('SELECT 1').get();
          return `SQLite at ${join(dataDir, DATABASE_FILE)}`;
        }),
        timed('disk', async () => {
          const space = await diskSpace();
          if (!space) throw new Error(`cannot measure free space in ${dataDir}`);
          if (space.freeMb < minMb) throw new Error(`${space.freeMb} MB free, below the ${minMb} MB reserve`);
          return `${space.freeMb} MB free of ${space.totalMb} MB (reserve ${minMb} MB)`;
        }),
        timed('ffmpeg', async () => {
          const ff = await ffmpeg();
          return `ffmpeg ${ff.version}`;
        }),
        timed('queue', async () => {
          await queue.stats({ windowMs: 1_000 });
          return queue.backend === 'sqlite' ? 'SQLite job queue' : 'Redis job queue reachable';
        }),
      ]);
      return { ok: checks.every((c) => c.ok), checks };
    };

    return {
      config,
      log,
      db,
      blobs,
      tokens,
      assets,
      projects,
      projectEvents,
      renderRecords,
      renders,
      derivatives,
      queue,
      uploads,
      dataDir,
      ffmpeg,
      diskSpace,
      readiness,
      startJobs() {
        if (!config.server.runJobs) return null;
        if (!worker) {
          // Listed before the worker claims anything, so only earlier runs' folders are candidates.
          const leftovers = existsSync(scratchDir) ? readdirSync(scratchDir) : [];
          const processLeftovers = existsSync(processScratchDir) ? readdirSync(processScratchDir) : [];
          worker = queue.startWorker();
          removeStaleWorkFolders(processScratchDir, processLeftovers, async (id) => {
            const state = await queue.get(id).then(
              (j) => j.state,
              () => null,
            );
            return state === 'active';
          }).catch((e: unknown) => log.error({ err: e }, 'could not tidy asset-processing folders'));
          cleanScratch(leftovers)
            .then(() => renders.reconcile())
            .catch((e: unknown) => log.error({ err: e }, 'could not tidy up after an earlier run'));
        }
        return worker;
      },
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}
