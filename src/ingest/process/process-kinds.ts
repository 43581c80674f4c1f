import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProgressReporter } from '../../jobs/index.js';
import { probe } from '../../media/index.js';
import type { Asset } from '../../storage/asset-store.js';
import type { DerivativeFile, Derivatives } from '../../storage/derivative-store.js';
import { makeWaveform, measureLoudness } from './audio-analysis.js';
import { makeImageVariants } from './image-variants.js';
import type { Loudness } from './loudness.js';
import { type PageAssetDeps, storePageAssets } from './page-assets.js';
import { type PdfOptions, renderPdfPages } from './pdf-pages.js';
import type { ProcessContext } from './process-context.js';
import { makePoster, makeProxy, makeThumbnailStrip } from './video-derivatives.js';
import { readVideoMetadata, type VideoMetadata } from './video-metadata.js';

/** One attempt's processing: the files, where progress goes, and a runner that names each step. */
export interface KindRun {
  pc: ProcessContext;
  progress: ProgressReporter;
  /** Runs a step (its name ends up in the error message if it fails) and completes its reporter. */
  step<T>(reporter: ProgressReporter, name: string, fn: () => Promise<T>): Promise<T>;
}

/** What processing made, before it is published; `store` is the last step of the tree. */
export interface KindOutput {
  files: DerivativeFile[];
  /** Page assets this run created (removed again if publishing fails). */
  created: Asset[];
  store: ProgressReporter;
  video?: VideoMetadata;
  loudness?: Loudness;
  pages?: number;
}

/** A small JSON derivative whose content is also its `meta` (so the listing shows it). */
async function writeJson(
  work: string,
  name: string,
  value: Record<string, unknown>,
): Promise<DerivativeFile> {
  const path = join(work, name);
  await writeFile(path, JSON.stringify(value, null, 2));
  return { name, kind: 'metadata', mime: 'application/json', path, meta: value };
}

/** Images: WebP and AVIF variants and thumbnails. */
export async function processImage(r: KindRun): Promise<KindOutput> {
  const variants = r.progress.step('variants', 4);
  const store = r.progress.step('store', 1);
  const files = await r.step(variants, 'image variants', () =>
    makeImageVariants(r.pc.input, r.pc.work, r.pc.signal),
  );
  return { files, created: [], store };
}

/** Videos (metadata, poster, strip, proxy) and anything with sound (waveform, loudness). */
export async function processAudioVisual(r: KindRun, isVideo: boolean): Promise<KindOutput> {
  const { pc, progress } = r;
  const steps = {
    metadata: progress.step('metadata', 1),
    poster: isVideo ? progress.step('poster', 1) : null,
    thumbnails: isVideo ? progress.step('thumbnails', 2) : null,
    proxy: isVideo ? progress.step('proxy', 8) : null,
    waveform: progress.step('waveform', 2),
    loudness: progress.step('loudness', 2),
    store: progress.step('store', 1),
  };
  const out: KindOutput = { files: [], created: [], store: steps.store };
  let sound: { durationSec: number | null; channels: number } | null;
  if (steps.poster && steps.thumbnails && steps.proxy) {
    const proxyStep = steps.proxy;
    const described = await r.step(steps.metadata, 'metadata', () =>
      readVideoMetadata(pc.ff, pc.input, pc.signal),
    );
    if (!described) throw new Error('the file has no video stream');
    const meta = described.metadata;
    out.video = meta;
    sound = meta.audio && { durationSec: meta.durationSec, channels: meta.audio.channels };
    out.files.push(await writeJson(pc.work, 'metadata.json', { ...meta }));
    out.files.push(await r.step(steps.poster, 'poster', () => makePoster(pc, meta)));
    out.files.push(
      ...(await r.step(steps.thumbnails, 'thumbnail strip', () => makeThumbnailStrip(pc, meta))),
    );
    out.files.push(
      await r.step(proxyStep, 'proxy', () =>
        makeProxy(pc, meta, (f) => proxyStep.update(Math.round(f * 1000), 1000)),
      ),
    );
  } else {
    const info = await r.step(steps.metadata, 'metadata', () =>
      probe(pc.ff, pc.input, { signal: pc.signal }),
    );
    if (!info.audio) throw new Error('the file has no audio stream');
    sound = { durationSec: info.audio.durationSec ?? info.durationSec, channels: info.audio.channels };
  }
  if (sound) {
    const { durationSec, channels } = sound;
    out.files.push(
      ...(await r.step(steps.waveform, 'waveform', () => makeWaveform(pc, durationSec, channels))),
    );
    const measured = await r.step(steps.loudness, 'loudness', () => measureLoudness(pc));
    out.files.push(measured.file);
    out.loudness = measured.loudness;
  } else {
    steps.waveform.complete();
    steps.loudness.complete();
  }
  return out;
}

/** PDFs: each page an image asset of the owner, listed as a derivative; a re-run reuses its pages. */
export async function processPdf(
  r: KindRun,
  pdf: Asset,
  deps: PageAssetDeps & { derivatives: Derivatives; pdf: PdfOptions },
): Promise<KindOutput> {
  const pages = r.progress.step('pages', 4);
  const store = r.progress.step('store', 1);
  const previous = new Map(
    deps.derivatives
      .list(pdf.id)
      .filter((d) => d.kind === 'page' && typeof d.meta.assetId === 'string')
      .map((d) => [d.name, d.meta.assetId as string]),
  );
  const made = await r.step(pages, 'PDF pages', async () => {
    const paths = await renderPdfPages(r.pc.input, join(r.pc.work, 'pages'), deps.pdf, r.pc.signal);
    if (paths.length === 0) throw new Error('the PDF has no pages');
    return storePageAssets(deps, pdf, paths, previous, r.pc.signal);
  });
  return { files: made.files, created: made.created, store, pages: made.files.length };
}
