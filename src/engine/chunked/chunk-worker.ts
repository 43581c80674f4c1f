/**
 * Entry of a chunk process (forked by renderChunked): prepares the timeline once, then renders each
 * chunk it is sent into its own file. It stops — cancelling its ffmpeg and leaving its files to the
 * coordinator — on `close`, on SIGTERM, and when the coordinator goes away (the IPC channel closes).
 */
import { join } from 'node:path';
import { type Ffmpeg, findFfmpeg } from '../../media/index.js';
import { encodeFrames, type FrameSink } from '../encode-frames.js';
import { loadKernels } from '../kernels/kernels.js';
import { imagePattern } from '../output-args.js';
import { Renderer } from '../renderer.js';
import { type ChunkJob, chunkFileName, type FromWorker, type ToWorker, toWire } from './protocol.js';

function send(msg: FromWorker): Promise<void> {
  return new Promise((resolve) => {
    if (!process.connected || !process.send) return resolve();
    process.send(msg, undefined, {}, () => resolve());
  });
}

/** Where chunk `index` goes: its own file, or (image sequences) its numbered files in the shared folder. */
function sinkFor(job: ChunkJob, index: number): FrameSink {
  const o = job.output;
  if (o.kind === 'images') {
    const pattern = imagePattern(job.folder, o.prefix, o.extension);
    return { kind: 'images', extension: o.extension, settings: o.settings, pattern };
  }
  const outPath = join(job.folder, chunkFileName(index, o.extension));
  return {
    kind: 'video',
    muxer: o.muxer,
    video: o.video,
    settings: o.settings,
    audio: null,
    outPath,
    faststart: false,
  };
}

/** Serves chunk requests over the IPC channel until told to stop. */
function serveChunks(): void {
  const controller = new AbortController();
  const { signal } = controller;
  let state: { job: ChunkJob; ff: Ffmpeg; renderer: Renderer } | null = null;
  let current: Promise<void> = Promise.resolve();
  let stopping = false;

  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    controller.abort(new Error('chunk process stopping'));
    await current.catch(() => undefined);
    await state?.renderer.close().catch(() => undefined);
    process.exit(code);
  };

  const handle = async (msg: ToWorker): Promise<void> => {
    if (msg.type === 'init') {
      const { job } = msg;
      const ff = await findFfmpeg(job.ffmpeg);
      const renderer = new Renderer(job.timeline, {
        ff,
        baseDir: job.baseDir,
        scale: job.scale,
        kernels: loadKernels(job.kernels),
        signal,
      });
      state = { job, ff, renderer };
      await renderer.prepare();
      await send({ type: 'ready', kernels: renderer.compositor.kernels });
      return;
    }
    if (msg.type !== 'chunk') return;
    if (!state) throw new Error('chunk process: a chunk arrived before init');
    const { index, range } = msg;
    let last = 0;
    const r = await encodeFrames(state.ff, state.renderer, range, sinkFor(state.job, index), {
      alpha: state.job.alpha,
      signal,
      // A chunk process does nothing but render.
      yieldToEncoder: true,
      onSent: (sent) => {
        if (sent - last < 5 && sent !== range.count) return;
        last = sent;
        void send({ type: 'progress', index, sent });
      },
    });
    await send({ type: 'done', index, reused: r.reused });
  };

  process.on('message', (msg: ToWorker) => {
    if (msg.type === 'close') return void stop(0);
    current = current.then(() => handle(msg));
    current.catch(async (e: unknown) => {
      if (stopping) return;
      if (!signal.aborted) await send({ type: 'failed', error: toWire(e) });
      await stop(1);
    });
  });
  process.on('disconnect', () => void stop(1));
  process.on('SIGTERM', () => void stop(143));
}

serveChunks();
