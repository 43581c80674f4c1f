import { rename, rm, stat } from 'node:fs/promises';
import sharp from 'sharp';
import { type Ffmpeg, runFfmpeg } from '../../media/index.js';

/** Longest side of an early preview, in pixels. */
export const PREVIEW_SIDE = 320;

export interface PreviewInput {
  kind: 'image' | 'video';
  /** The upload's file, possibly still growing. */
  source: string;
  /** Where the JPEG goes (written beside it first, then renamed, so readers never see half a file). */
  output: string;
  maxPixels: number;
  signal?: AbortSignal;
}

/**
 * Makes a small JPEG from a file that may be incomplete: sharp decodes what has arrived of an image
 * (a truncated one decodes with its missing part left grey), ffmpeg takes the first frame of a video
 * whose container index and first keyframe are there. Returns false when the file cannot give one yet.
 */
export async function makeEarlyPreview(ff: () => Promise<Ffmpeg>, input: PreviewInput): Promise<boolean> {
  const tmp = `${input.output}.tmp.jpg`;
  try {
    if (input.kind === 'image') {
      await sharp(input.source, { failOn: 'none', limitInputPixels: input.maxPixels, sequentialRead: true })
        .rotate()
        .resize(PREVIEW_SIDE, PREVIEW_SIDE, { fit: 'inside', withoutEnlargement: true })
        .jpeg({ quality: 70 })
        .toFile(tmp);
    } else {
      const scale = `scale='min(${PREVIEW_SIDE},iw)':'min(${PREVIEW_SIDE},ih)':force_original_aspect_ratio=decrease:force_divisible_by=2`;
      await runFfmpeg(
        await ff(),
        [
          '-y',
          '-i',
          input.source,
          '-map',
          '0:v:0',
          '-frames:v',
          '1',
          '-vf',
          scale,
          '-update',
          '1',
          '-f',
          'image2',
          '-c:v',
          'mjpeg',
          tmp,
        ],
        { signal: input.signal },
      );
    }
    if (((await stat(tmp).catch(() => null))?.size ?? 0) === 0) return false;
    await rename(tmp, input.output);
    return true;
  } catch {
    return false;
  } finally {
    await rm(tmp, { force: true });
  }
}
