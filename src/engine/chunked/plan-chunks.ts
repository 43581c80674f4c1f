import type { FrameRange } from '../frame-pump.js';

/**
 * Splits a range of frames into `chunks` consecutive ranges on frame boundaries, as equal as they can
 * be (sizes differ by at most one frame, the longer ones first). Never more chunks than frames, and
 * never fewer than one; the ranges cover the input exactly, in order.
 */
export function planChunks(range: FrameRange, chunks: number): FrameRange[] {
  const n = Math.max(1, Math.min(Math.floor(chunks) || 1, range.count));
  const base = Math.floor(range.count / n);
  const extra = range.count % n;
  const out: FrameRange[] = [];
  let first = range.first;
  for (let i = 0; i < n; i++) {
    const count = base + (i < extra ? 1 : 0);
    out.push({ first, count });
    first += count;
  }
  return out;
}
