import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { isReelforgeError } from '../../errors.js';
import { defineJobHandler, type JobContext, type JobQueue, type JobSummary } from '../../jobs/index.js';
import type { Ffmpeg } from '../../media/index.js';
import type { Asset, AssetStore } from '../../storage/asset-store.js';
import type { BlobStore } from '../../storage/blob-store.js';
import type { Derivatives } from '../../storage/derivative-store.js';
import type { KeyedMutex } from '../../storage/keyed-mutex.js';
import { assetNotFound } from '../../storage/storage-errors.js';
import type { Loudness } from './loudness.js';
import { defaultPdfOptions, type PdfOptions } from './pdf-pages.js';
import { type ProcessContext, processingFailed } from './process-context.js';
import {
  type KindOutput,
  type KindRun,
  processAudioVisual,
  processImage,
  processPdf,
} from './process-kinds.js';
import type { VideoMetadata } from './video-metadata.js';

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
  /** Set when the derivatives were shared from an asset with identical content instead of made again. */
  copiedFrom?: string;
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

/**
 * Removes working folders `<jobId>-<attempt>-<random>` left by earlier runs (a crash leaves them) whose
 * job is not running now. Call with names listed before this process's worker starts.
 */
export async function removeStaleWorkFolders(
  scratchDir: string,
  names: readonly string[],
  isActive: (jobId: string) => Promise<boolean>,
): Promise<void> {
  for (const name of names) {
    const jobId = name.split('-').slice(0, -2).join('-');
    if (jobId && !(await isActive(jobId))) await rm(join(scratchDir, name), { recursive: true, force: true });
  }
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
  async function publish(ctx: JobContext<AssetProcessPayload>, out: KindOutput): Promise<string[]> {
    out.store.message('storing');
    let names: string[];
    try {
      const stored = await deps.derivatives.publish(ctx.payload.assetId, out.files, { signal: ctx.signal });
      names = stored.map((d) => d.name);
    } catch (e) {
      for (const a of out.created) deps.assets.delete(a.owner, a.id);
      await deps.derivatives.dropUnreferenced(out.created.map((a) => a.hash));
      throw e;
    }
    out.store.complete();
    for (const a of out.created) {
      await deps
        .onPageAsset?.(a)
        .catch((err: unknown) =>
          ctx.log.warn({ err, assetId: a.id }, 'could not queue processing of a PDF page'),
        );
    }
    return names;
  }

  return defineJobHandler({
    type: ASSET_PROCESS_JOB,
    schema: assetProcessPayloadSchema,
    // Proxies are encodes: one job per two cores, not one per core.
    workload: 'cpu',
    memoryMb: 400,
    // A long 4K video's proxy is a long encode on a small machine; 30 minutes would cut it off.
    timeoutMs: 4 * 60 * 60_000,
    async run(ctx: JobContext<AssetProcessPayload>): Promise<AssetProcessResult> {
      const { assetId, owner } = ctx.payload;
      const asset = deps.assets.get(owner, assetId);
      if (!asset) throw assetNotFound(assetId);
      // Identical content processed before (a de-duplicated upload): share its derivatives. Not for a
      // re-run of the same job, which is asked for to make them again.
      if (!isPdf(asset) && ctx.jobId === processingJobId(assetId)) {
        const copied = await deps.derivatives.copyFromTwin(asset);
        if (copied) {
          ctx.progress.step('copy', 1).complete();
          const meta = (name: string) => copied.items.find((d) => d.name === name)?.meta;
          return {
            assetId,
            kind: asset.kind,
            derivatives: copied.items.map((d) => d.name),
            copiedFrom: copied.from,
            ...(meta('metadata.json') && { video: meta('metadata.json') as unknown as VideoMetadata }),
            ...(meta('loudness.json') && { loudness: meta('loudness.json') as unknown as Loudness }),
          };
        }
      }
      await mkdir(deps.scratchDir, { recursive: true });
      await removeEarlierAttempts(deps.scratchDir, ctx.jobId);
      const work = await mkdtemp(join(deps.scratchDir, `${ctx.jobId}-${ctx.attempt}-`));
      const input = await deps.blobs.localPath(asset.hash, { signal: ctx.signal });
      const pc: ProcessContext = { ff: await deps.ffmpeg(), input, work, signal: ctx.signal, log: ctx.log };
      let step = 'prepare';
      const r: KindRun = {
        pc,
        progress: ctx.progress,
        async step(reporter, name, fn) {
          step = name;
          reporter.message(name);
          const value = await fn();
          reporter.complete();
          return value;
        },
      };
      try {
        const out = isPdf(asset)
          ? await processPdf(r, asset, { ...deps, now, pdf: pdfOptions })
          : asset.kind === 'image'
            ? await processImage(r)
            : await processAudioVisual(r, asset.kind === 'video');
        step = 'store';
        const derivatives = await publish(ctx, out);
        return {
          assetId,
          kind: isPdf(asset) ? 'pdf' : asset.kind,
          derivatives,
          ...(out.video && { video: out.video }),
          ...(out.loudness && { loudness: out.loudness }),
          ...(out.pages !== undefined && { pages: out.pages }),
        };
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
