/**
 * Entry of a preview frame worker thread (started by WorkerPool): renders frames with warm
 * Renderers, one task at a time, and sends the encoded bytes back by transferring their buffers.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadKernels, RenderCache } from '../../engine/index.js';
import type { Ffmpeg } from '../../media/index.js';
import { WarmRenderers } from './warm-renderers.js';
import {
  errorToWire,
  type FromWorker,
  type ToWorker,
  type WireFrame,
  type WorkerInit,
} from './worker-protocol.js';

const port = parentPort;
if (!port) throw new Error('frame-worker.ts runs as a worker thread (see worker-pool.ts)');
const init = workerData as WorkerInit;
const ff: Ffmpeg = { ...init.ffmpeg };
const renderers = new WarmRenderers(
  ff,
  loadKernels(),
  init.renderers,
  new RenderCache(init.sharedCacheBytes),
);
let chain: Promise<void> = Promise.resolve();

function reply(id: number, frames: WireFrame[], started: number): void {
  const msg: FromWorker = { type: 'done', id, frames, renderMs: performance.now() - started };
  const transfer = [...new Set(frames.map((f) => f.bytes.buffer as ArrayBuffer))];
  port?.postMessage(msg, transfer);
}

async function handle(msg: ToWorker): Promise<void> {
  if (msg.type === 'close') {
    await renderers.close();
    port?.close();
    return;
  }
  const started = performance.now();
  try {
    const frames =
      msg.type === 'frame'
        ? [await renderers.frame(msg.renderer, msg.time, msg.format)]
        : await renderers.strip(msg.renderer, msg.count, msg.format);
    reply(msg.id, frames, started);
  } catch (e) {
    port?.postMessage({ type: 'failed', id: msg.id, error: errorToWire(e) } satisfies FromWorker);
  }
}

port.on('message', (msg: ToWorker) => {
  chain = chain.then(() => handle(msg));
});
