import { join } from 'node:path';
import sharp, { type Sharp } from 'sharp';
import type { DerivativeFile, DerivativeKind } from '../../storage/derivative-store.js';

/** The sizes made of every image (long side, never enlarged). */
export const IMAGE_SIZES: readonly { name: string; longSide: number; kind: DerivativeKind }[] = [
  { name: 'image-2048', longSide: 2048, kind: 'variant' },
  { name: 'thumb-320', longSide: 320, kind: 'thumbnail' },
];

const FORMATS = [
  { ext: 'webp', mime: 'image/webp', apply: (s: Sharp) => s.webp({ quality: 82, effort: 4 }) },
  // AVIF encodes slowly; effort 2 keeps a 2048 px image to a second or two on one core.
  { ext: 'avif', mime: 'image/avif', apply: (s: Sharp) => s.avif({ quality: 55, effort: 2 }) },
] as const;

/**
 * WebP and AVIF of an image at each size: EXIF orientation applied (the outputs carry none), colour
 * converted to sRGB through the embedded ICC profile if any, metadata stripped. sharp's default pixel
 * limit stays on, so a decompression bomb fails instead of filling memory.
 */
export async function makeImageVariants(
  input: string,
  work: string,
  signal: AbortSignal,
): Promise<DerivativeFile[]> {
  const base = sharp(input, { failOn: 'error' }).rotate().toColourspace('srgb');
  const out: DerivativeFile[] = [];
  for (const size of IMAGE_SIZES) {
    for (const format of FORMATS) {
      signal.throwIfAborted();
      const name = `${size.name}.${format.ext}`;
      const path = join(work, name);
      const pipeline = base
        .clone()
        .resize({ width: size.longSide, height: size.longSide, fit: 'inside', withoutEnlargement: true });
      const info = await format.apply(pipeline).toFile(path);
      out.push({
        name,
        kind: size.kind,
        mime: format.mime,
        path,
        meta: { width: info.width, height: info.height, longSide: size.longSide },
      });
    }
  }
  return out;
}
