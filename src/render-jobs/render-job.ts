import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { formats, type RenderProgress, renderVideo } from '../engine/index.js';
import { isReelforgeError, ReelforgeError } from '../errors.js';
import { defineJobHandler, type JobContext, type ProgressReporter } from '../jobs/index.js';
import type { Ffmpeg } from '../media/index.js';
import { assetIdOf, withMediaPaths } from '../storage/asset-refs.js';
import type { AssetStore } from '../storage/asset-store.js';
import type { BlobStore } from '../storage/blob-store.js';
import type { Projects } from '../storage/projects.js';
import type { RenderStore } from '../storage/render-store.js';
import { type RenderJobResult, type RenderPayload, renderPayloadSchema } from './render-payload.js';

export interface RenderJobDeps {
  projects: Projects;
  assets: AssetStore;
  renders: RenderStore;
  blobs: BlobStore;
  ffmpeg: () => Promise<Ffmpeg>;
  /** A folder for each attempt's working files (media links, the output before it is stored). */
  scratchDir: string;
}

/** File extensions for linked media, so ffmpeg and sharp see familiar names. Never from user input. */
const extensionOf: Record<string, string> = {
  'image/png': '.png',
  'image/jpeg': '.jpg',
  'image/webp': '.webp',
  'image/gif': '.gif',
  'image/avif': '.avif',
  'image/tiff': '.tif',
  'video/mp4': '.mp4',
  'video/quicktime': '.mov',
  'video/webm': '.webm',
  'video/x-matroska': '.mkv',
  'audio/wav': '.wav',
  'audio/mpeg': '.mp3',
  'audio/mp4': '.m4a',
  'audio/ogg': '.ogg',
  'audio/flac': '.flac',
};

const STAGES = ['prepare', 'audio', 'video', 'finalize'] as const;

/** Maps the engine's progress onto the job's step tree (prepare, audio, video, finalize, store). */
export function renderProgressSteps(root: ProgressReporter) {
  const steps = {
    prepare: root.step('prepare', 1),
    audio: root.step('audio', 1),
    video: root.step('video', 8),
    finalize: root.step('finalize', 1),
    store: root.step('store', 1),
  };
  const onProgress = (p: RenderProgress) => {
    const at = STAGES.indexOf(p.stage);
    for (const earlier of STAGES.slice(0, at)) steps[earlier].complete();
    const step = steps[p.stage];
    if (p.stage === 'video' && p.totalFrames > 0) {
      step.update(p.frame, p.totalFrames);
      step.message(`frame ${p.frame} of ${p.totalFrames}${p.fps > 0 ? ` at ${p.fps.toFixed(1)} fps` : ''}`);
    } else if (p.stage === 'finalize' && p.fraction >= 1) {
      step.complete();
    } else {
      step.message(
        p.stage === 'prepare' ? 'reading media' : p.stage === 'audio' ? 'mixing sound' : 'writing the file',
      );
    }
  };
  return { steps, onProgress };
}

/** Replaces working paths in an error's message with the `asset:<id>` the timeline said. */
function withAssetNames(e: unknown, links: ReadonlyMap<string, string>, work: string): unknown {
  if (!isReelforgeError(e)) return e;
  const rename = (text: string) => {
    let out = text;
    for (const [path, ref] of links) out = out.split(path).join(ref);
    return out.split(work).join('<work>');
  };
  const message = rename(e.message);
  const json = e.meta.details === undefined ? undefined : JSON.stringify(e.meta.details);
  const details = json === undefined ? undefined : (JSON.parse(rename(json)) as unknown);
  if (message === e.message && json === (details === undefined ? undefined : JSON.stringify(details)))
    return e;
  return new ReelforgeError(e.code, message, { ...e.meta, details, cause: e });
}

/**
 * The `render` job: loads the project's timeline version (or the inline one), checks it again (an
 * asset may have gone since), links the owner's assets into a working folder under names made from
 * their ids, renders with the job's AbortSignal and progress, and stores the output as a blob.
 */
export function createRenderJobHandler(deps: RenderJobDeps) {
  return defineJobHandler({
    type: 'render',
    schema: renderPayloadSchema,
    workload: 'encode',
    memoryMb: 400,
    async run(ctx: JobContext<RenderPayload>): Promise<RenderJobResult> {
      const { owner, source, output } = ctx.payload;
      const { steps, onProgress } = renderProgressSteps(ctx.progress);
      steps.prepare.message('checking the timeline');
      const input =
        source.kind === 'project'
          ? deps.projects.version(owner, source.projectId, source.version).timeline
          : source.timeline;
      const checked = deps.projects.checkTimeline(owner, input);
      await mkdir(deps.scratchDir, { recursive: true });
      const work = await mkdtemp(join(deps.scratchDir, `${ctx.jobId}-${ctx.attempt}-`));
      const links = new Map<string, string>();
      try {
        const media = join(work, 'media');
        await mkdir(media);
        const files = new Map<string, string>();
        for (const id of checked.assetIds) {
          const asset = deps.assets.get(owner, id);
          if (!asset)
            throw new ReelforgeError('ASSET_NOT_FOUND', `asset ${id} was deleted`, {
              status: 404,
              retryable: false,
            });
          const file = join(media, `${id}${extensionOf[asset.mime] ?? ''}`);
          await symlink(await deps.blobs.localPath(asset.hash, { signal: ctx.signal }), file);
          files.set(id, file);
          links.set(file, `asset:${id}`);
        }
        const timeline = withMediaPaths(
          checked.timeline,
          (ref) => files.get(assetIdOf(ref.value) ?? '') ?? '',
        );
        const outPath = join(work, `output${formats[timeline.output.format].extension}`);
        const result = await renderVideo(timeline, {
          ff: await deps.ffmpeg(),
          baseDir: media,
          outPath,
          profile: output.profile,
          scale: output.scale,
          from: output.from,
          to: output.to,
          signal: ctx.signal,
          log: ctx.log,
          onProgress,
        });
        steps.store.message('storing the output');
        const stored = await deps.blobs.putFile(outPath, { signal: ctx.signal });
        deps.renders.setOutput(ctx.jobId, stored.hash, stored.bytes);
        steps.store.complete();
        return {
          outputHash: stored.hash,
          bytes: stored.bytes,
          format: result.format,
          width: result.width,
          height: result.height,
          fps: result.fps,
          frames: result.frames,
          durationSec: result.durationSec,
          videoEncoder: result.videoEncoder,
          audioEncoder: result.audioEncoder,
          timings: result.timings,
        };
      } catch (e) {
        throw withAssetNames(e, links, work);
      } finally {
        await rm(work, { recursive: true, force: true });
      }
    },
  });
}
