import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { ReelforgeError } from '../errors.js';
import type { FfmpegProcess } from '../media/index.js';
import { frameTime } from '../timeline/time.js';
import { enlargeStdinBuffer } from './pipe-size.js';
import type { Renderer } from './renderer.js';

/** Frames [first, first + count) of the output, by index. */
export interface FrameRange {
  first: number;
  count: number;
}

/** How frames are pumped into an encoder. */
export interface PumpOptions {
  /** Frames carry an alpha plane (yuva420p). */
  alpha: boolean;
  signal?: AbortSignal | undefined;
  /** Receives every composited frame (index within the range) before it is sent; must not keep it. */
  onFrame?: ((index: number, frame: Uint8Array) => void) | undefined;
  /** Called after each frame was handed to the encoder, with the number sent so far. */
  onSent?: ((sent: number) => void) | undefined;
}

/**
 * Bytes of composited frames that may wait for the encoder. A deeper ring lets compositing run ahead
 * while the encoder's threads leave a core idle, so that the encoder never waits for a frame; at
 * 1080p this is 10 frames, at 4K the minimum of 3.
 */
const RING_BYTES = 32 * 2 ** 20;

/** How many frame buffers the ring holds for frames of `bytes`. */
export function ringSize(bytes: number): number {
  return Math.max(3, Math.min(16, Math.floor(RING_BYTES / bytes)));
}

/** RENDER_CANCELLED, carrying the abort reason. */
export function cancelled(signal: AbortSignal | undefined): ReelforgeError {
  return new ReelforgeError('RENDER_CANCELLED', 'render cancelled', {
    retryable: false,
    cause: signal?.reason,
  });
}

/** Writes one buffer and resolves when the pipe has taken it (so the buffer may be reused). */
function writeFully(stdin: Writable, buf: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    stdin.write(buf, (err) => (err ? reject(err) : resolve()));
  });
}

/** Marks a promise as handled (it may be abandoned on cancellation) while awaiting it still rejects. */
function handled<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

/** Waits for a write; when the pipe broke, the encoder's own error says why. */
async function pipeTook(sent: Promise<void>, enc: FfmpegProcess): Promise<void> {
  try {
    await sent;
  } catch (e) {
    await enc.done;
    throw e;
  }
}

/**
 * Composites a range of frames into a small ring of reused buffers and streams them into an encoder's
 * stdin with back-pressure; a frame whose layers did not change is sent again without drawing. Closes
 * stdin and waits for the encoder to finish. Returns how many frames were re-sent unchanged.
 */
export async function pumpFrames(
  renderer: Renderer,
  range: FrameRange,
  enc: FfmpegProcess,
  opts: PumpOptions,
): Promise<{ reused: number }> {
  const { signal } = opts;
  const fps = renderer.fps;
  const stdin = enc.stdin!;
  stdin.on('error', () => undefined);
  const bytes = opts.alpha ? renderer.compositor.alphaFrameBytes : renderer.compositor.frameBytes;
  enlargeStdinBuffer(stdin, 2 * bytes);
  // A ring of frame buffers: a buffer is reused only once the pipe has taken it.
  const ring = Array.from({ length: ringSize(bytes) }, () => ({
    buf: Buffer.alloc(bytes),
    sent: Promise.resolve(),
  }));
  let prevSig: string | null = null;
  let prevSlot: (typeof ring)[number] | null = null;
  let reused = 0;
  for (let i = 0; i < range.count; i++) {
    if (signal?.aborted) throw cancelled(signal);
    const t = frameTime(range.first + i, fps);
    const layers = renderer.layersAt(t);
    const sig = renderer.signature(layers);
    let slot = ring[i % ring.length]!;
    if (sig !== null && sig === prevSig && prevSlot) {
      slot = prevSlot;
      reused++;
    } else {
      await pipeTook(slot.sent, enc);
      await renderer.render(t, slot.buf, layers);
    }
    opts.onFrame?.(i, slot.buf);
    slot.sent = handled(Promise.all([slot.sent, writeFully(stdin, slot.buf)]).then(() => undefined));
    prevSlot = slot;
    prevSig = sig;
    opts.onSent?.(i + 1);
  }
  for (const slot of ring) await pipeTook(slot.sent, enc);
  stdin.end();
  await once(stdin, 'finish').catch(() => undefined);
  await enc.done;
  return { reused };
}
