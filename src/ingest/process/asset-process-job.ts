import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { isReelforgeError } from '../../errors.js';
import {
  defineJobHandler,
  type JobContext,
  type JobQueue,
  type JobSummary,
  type ProgressReporter,
} from '../../jobs/index.js';
import { type Ffmpeg, probe } from '../../media/index.js';
import type { Asset, AssetStore } from '../../storage/asset-store.js';
import type { BlobStore } from '../../storage/blob-store.js';
import type { DerivativeFile, Derivatives } from '../../storage/derivative-store.js';
import type { KeyedMutex } from '../../storage/keyed-mutex.js';
import { assetNotFound } from '../../storage/storage-errors.js';
import { makeWaveform, measureLoudness } from './audio-analysis.js';
import { makeImageVariants } from './image-variants.js';
import type { Loudness } from './loudness.js';
import { storePageAssets } from './page-assets.js';
import { defaultPdfOptions, type PdfOptions, renderPdfPages } from './pdf-pages.js';
import { type ProcessContext, processingFailed } from './process-context.js';
import { makePoster, makeProxy, makeThumbnailStrip } from './video-derivatives.js';
import { readVideoMetadata, type VideoMetadata } from './video-metadata.js';

/** The job type. Job types are `[a-z][a-z0-9_-]*`, so no dot. */
export const ASSET_PROCESS_JOB = 'asset-process';

export const assetProcessPayloadSchema = z.object({
  assetId: z.string().min(1).max(64),
  owner: z.string().min(1).max(256),
});
export type AssetProcessPayload = z.infer<typeof assetProcessPayloadSchema>;

export interface AssetProcessingDeps {
  assets: AssetStore;
  derivatives: Derivatives;
  blobs: BlobStore;
  /** The asset library's per-hash lock ("record content" against "delete content nothing uses"). */
  locks: KeyedMutex;
  ffmpeg: () => Promise<Ffmpeg>;
  /** A folder for each attempt's working files. */
  scratchDir: string;
  pdf?: Partial<PdfOptions>;
  /** Called for each image asset made from a PDF page (app.ts queues its processing). */
  onPageAsset?: (asset: Asset) => Promise<void>;
  now?: () => number;
}

/** What a completed job returns (also visible in `reelforge jobs show`). */
export interface AssetProcessResult {
  assetId: string;
  kind: Asset['kind'] | 'pdf';
  derivatives: string[];
  video?: VideoMetadata;
  loudness?: Loudness;
  pages?: number;
}

const isPdf = (a: Asset) => a.mime === 'application/pdf';

/** Errors that say nothing about the asset (cancelled, timed out, out of space): left as they are. */
function isAboutTheRun(e: unknown, signal: AbortSignal): boolean {
  if (signal.aborted) return true;
  if (!isReelforgeError(e)) return false;
  return (
    e.code === 'FFMPEG_KILLED' ||
    e.code === 'FFMPEG_NOT_FOUND' ||
    e.code === 'ASSET_NOT_FOUND' ||
    e.code === 'ASSET_PROCESSING_FAILED' ||
    e.code === 'STORAGE_FULL' ||
    e.code.startsWith('JOB_')
  );
}

/** The first line of an error's message, without the working folder's path. */
function reasonOf(e: unknown, work: string, input: string): string {
  const text = e instanceof Error ? e.message : String(e);
  const line = text.split('\n').find((l) => l.trim() !== '') ?? 'unknown error';
  return line.split(input).join('<asset>').split(work).join('<work>').slice(0, 500);
}

/** Removes working folders of this job's earlier attempts (a crash leaves them behind). */
async function removeEarlierAttempts(scratchDir: string, jobId: string): Promise<void> {
  for (const name of await readdir(scratchDir)) {
    if (name.startsWith(`${jobId}-`)) await rm(join(scratchDir, name), { recursive: true, force: true });
  }
}

/**
 * The `asset-process` job: makes an asset's derivatives by kind (image variants; video metadata,
 * poster, thumbnail strip, proxy; waveform and loudness of any sound; PDF pages as image assets), then
 * publishes them as one set, replacing an earlier run's. A corrupt file fails the job with
 * ASSET_PROCESSING_FAILED naming the step; it is not retried.
 */
export function createAssetProcessingHandler(deps: AssetProcessingDeps) {
  const pdfOptions: PdfOptions = { ...defaultPdfOptions, ...deps.pdf };
  const now = deps.now ?? Date.now;
  /** Publishes the set; if the asset went meanwhile, the page assets this run made go too. */
  async function publish(
    ctx: JobContext<AssetProcessPayload>,
    reporter: ProgressReporter,
    files: DerivativeFile[],
    created: readonly Asset[],
    result: AssetProcessResult,
  ): Promise<void> {
    reporter.message('storing');
    try {
      const stored = await deps.derivatives.publish(ctx.payload.assetId, files, { signal: ctx.signal });
      result.derivatives = stored.map((d) => d.name);
    } catch (e) {
      for (const a of created) deps.assets.delete(a.owner, a.id);
      await deps.derivatives.dropUnreferenced(created.map((a) => a.hash));
      throw e;
    }
    reporter.complete();
    for (const a of created) {
      await deps
        .onPageAsset?.(a)
        .catch((err: unknown) =>
          ctx.log.warn({ err, assetId: a.id }, 'could not queue processing of a PDF page'),
        );
    }
  }

  return defineJobHandler({
    type: ASSET_PROCESS_JOB,
    schema: assetProcessPayloadSchema,
    // Proxies are encodes: one job per two cores, not one per core.
    workload: 'cpu',
    memoryMb: 400,
    async run(ctx: JobContext<AssetProcessPayload>): Promise<AssetProcessResult> {
      const { assetId, owner } = ctx.payload;
      const asset = deps.assets.get(owner, assetId);
      if (!asset) throw assetNotFound(assetId);
      await mkdir(deps.scratchDir, { recursive: true });
      await removeEarlierAttempts(deps.scratchDir, ctx.jobId);
      const work = await mkdtemp(join(deps.scratchDir, `${ctx.jobId}-${ctx.attempt}-`));
      const input = await deps.blobs.localPath(asset.hash, { signal: ctx.signal });
      const pc: ProcessContext = { ff: await deps.ffmpeg(), input, work, signal: ctx.signal, log: ctx.log };
      let step = 'prepare';
      /** Runs one step of the progress tree; a failure inside is blamed on the asset, naming the step. */
      const run = async <T>(reporter: ProgressReporter, name: string, fn: () => Promise<T>): Promise<T> => {
        step = name;
        reporter.message(name);
        const value = await fn();
        reporter.complete();
        return value;
      };
      try {
        const result: AssetProcessResult = {
          assetId,
          kind: isPdf(asset) ? 'pdf' : asset.kind,
          derivatives: [],
        };
        const files: DerivativeFile[] = [];
        let created: Asset[] = [];
        if (isPdf(asset)) {
          const pages = ctx.progress.step('pages', 4);
          const store = ctx.progress.step('store', 1);
          const previous = new Map(
            deps.derivatives
              .list(assetId)
              .filter((d) => d.kind === 'page' && typeof d.meta.assetId === 'string')
              .map((d) => [d.name, d.meta.assetId as string]),
          );
          const made = await run(pages, 'PDF pages', async () => {
            const paths = await renderPdfPages(input, join(work, 'pages'), pdfOptions, ctx.signal);
            if (paths.length === 0) throw new Error('the PDF has no pages');
            return storePageAssets({ ...deps, now }, asset, paths, previous, ctx.signal);
          });
          files.push(...made.files);
          created = made.created;
          result.pages = made.files.length;
          step = 'store';
          await publish(ctx, store, files, created, result);
        } else if (asset.kind === 'image') {
          const variants = ctx.progress.step('variants', 4);
          const store = ctx.progress.step('store', 1);
          files.push(
            ...(await run(variants, 'image variants', () => makeImageVariants(input, work, ctx.signal))),
          );
          step = 'store';
          await publish(ctx, store, files, created, result);
        } else {
          const isVideo = asset.kind === 'video';
          const steps = {
            metadata: ctx.progress.step('metadata', 1),
            poster: isVideo ? ctx.progress.step('poster', 1) : null,
            thumbnails: isVideo ? ctx.progress.step('thumbnails', 2) : null,
            proxy: isVideo ? ctx.progress.step('proxy', 8) : null,
            waveform: ctx.progress.step('waveform', 2),
            loudness: ctx.progress.step('loudness', 2),
            store: ctx.progress.step('store', 1),
          };
          let durationSec: number | null = null;
          let hasAudio = true;
          let channels = 2;
          if (isVideo) {
            const described = await run(steps.metadata, 'metadata', () =>
              readVideoMetadata(pc.ff, input, ctx.signal),
            );
            if (!described) throw new Error('the file has no video stream');
            const meta = described.metadata;
            result.video = meta;
            durationSec = meta.durationSec;
            hasAudio = meta.hasAudio;
            channels = meta.audio?.channels ?? 2;
            files.push(await writeJson(work, 'metadata.json', meta));
            files.push(await run(steps.poster!, 'poster', () => makePoster(pc, meta)));
            files.push(
              ...(await run(steps.thumbnails!, 'thumbnail strip', () => makeThumbnailStrip(pc, meta))),
            );
            files.push(
              await run(steps.proxy!, 'proxy', () =>
                makeProxy(pc, meta, (f) => steps.proxy!.update(Math.round(f * 1000), 1000)),
              ),
            );
          } else {
            const info = await run(steps.metadata, 'metadata', () =>
              probe(pc.ff, input, { signal: ctx.signal }),
            );
            durationSec = info.audio?.durationSec ?? info.durationSec;
            hasAudio = info.audio !== null;
            channels = info.audio?.channels ?? 2;
            if (!hasAudio) throw new Error('the file has no audio stream');
          }
          if (hasAudio) {
            files.push(
              ...(await run(steps.waveform, 'waveform', () => makeWaveform(pc, durationSec, channels))),
            );
            const measured = await run(steps.loudness, 'loudness', () => measureLoudness(pc));
            files.push(measured.file);
            result.loudness = measured.loudness;
          } else {
            steps.waveform.complete();
            steps.loudness.complete();
          }
          step = 'store';
          await publish(ctx, steps.store, files, created, result);
        }
        return result;
      } catch (e) {
        // Storing is not about the asset's content (disk full, blob store down): left retryable.
        if (isAboutTheRun(e, ctx.signal) || step === 'store') throw e;
        throw processingFailed(assetId, step, reasonOf(e, work, input), e);
      } finally {
        await rm(work, { recursive: true, force: true });
      }
    },
  });
}

async function writeJson(work: string, name: string, value: unknown): Promise<DerivativeFile> {
  const path = join(work, name);
  await writeFile(path, JSON.stringify(value, null, 2));
  return { name, kind: 'metadata', mime: 'application/json', path, meta: {} };
}

/** The id of an asset's (first) processing job. */
export const processingJobId = (assetId: string) => `process-${assetId}`;

/**
 * Queues processing of an asset. The job id comes from the asset id, so calling this twice for the
 * same asset returns the same job (idempotent); `again` queues a fresh run (it replaces the
 * derivatives when it completes).
 */
export function enqueueAssetProcessing(
  queue: Pick<JobQueue, 'enqueue'>,
  payload: AssetProcessPayload,
  options: { again?: boolean } = {},
): Promise<JobSummary> {
  return queue.enqueue({
    type: ASSET_PROCESS_JOB,
    ...(options.again ? {} : { id: processingJobId(payload.assetId) }),
    payload: { assetId: payload.assetId, owner: payload.owner },
    priority: 'low',
  });
}
