import sharp from 'sharp';
import type { FrameFormat } from './types.js';

/**
 * Encodes an RGBA frame (alpha always 255) for the preview: JPEG at quality 80 without mozjpeg's
 * slower trellis passes, WebP at its fastest effort, PNG at compression level 1 (lossless either
 * way; a high level costs several times the time for a few percent). Alpha is dropped first: it is
 * opaque, and three channels encode faster.
 */
export function encodeRgba(
  rgba: Uint8Array,
  width: number,
  height: number,
  format: FrameFormat,
): Promise<Buffer> {
  const img = sharp(rgba, { raw: { width, height, channels: 4 } }).removeAlpha();
  if (format === 'jpeg') return img.jpeg({ quality: 80, mozjpeg: false }).toBuffer();
  if (format === 'webp') return img.webp({ quality: 80, effort: 0 }).toBuffer();
  return img.png({ compressionLevel: 1, adaptiveFiltering: false }).toBuffer();
}
