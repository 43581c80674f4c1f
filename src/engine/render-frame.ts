import sharp from 'sharp';
import type { Timeline } from '../timeline/schema.js';
import { Renderer, type RendererOptions } from './renderer.js';
import { i420ToRgba } from './yuv-image.js';

/** One rendered frame. `i420` is exactly what export feeds the encoder at that time. */
export interface RenderedFrame {
  width: number;
  height: number;
  time: number;
  i420: Uint8Array;
  /** The same picture as straight RGBA (alpha always 255). */
  rgba: Uint8Array;
}

/**
 * Renders the frame at `time` seconds with the same compositor export uses: at the same time and
 * scale, its I420 pixels are byte-identical to the exported frame before encoding.
 */
export async function renderFrame(
  timeline: Timeline,
  time: number,
  options: RendererOptions,
): Promise<RenderedFrame> {
  const renderer = new Renderer(timeline, options);
  try {
    await renderer.prepare();
    const i420 = new Uint8Array(renderer.compositor.frameBytes);
    await renderer.render(time, i420);
    return {
      width: renderer.width,
      height: renderer.height,
      time,
      i420,
      rgba: i420ToRgba(i420, renderer.width, renderer.height),
    };
  } finally {
    await renderer.close();
  }
}

/** Encodes a rendered frame as PNG (lossless) or JPEG. */
export function encodeFrame(
  frame: RenderedFrame,
  format: 'png' | 'jpeg' = 'png',
  quality = 90,
): Promise<Buffer> {
  const img = sharp(frame.rgba, { raw: { width: frame.width, height: frame.height, channels: 4 } });
  return (format === 'png' ? img.png() : img.jpeg({ quality })).toBuffer();
}
