import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ReelforgeError } from '../../errors.js';
import {
  errorFromWire,
  type FromWorker,
  type ToWorker,
  type WireFrame,
  type WorkerInit,
} from './worker-protocol.js';

type TaskMessage = Extract<ToWorker, { id: number }>;
type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;
export type PoolMessage = DistributiveOmit<TaskMessage, 'id'>;

export interface PoolReply {
  frames: WireFrame[];
  renderMs: number;
}

interface Task {
  msg: TaskMessage;
  resolve: (r: PoolReply) => void;
  reject: (e: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
  started: number;
}

interface Slot {
  worker: Worker;
  running: Task | null;
  queue: Task[];
  exited: Promise<void>;
  watchdog: NodeJS.Timeout | null;
  /** Tasks it has answered. */
  answered: number;
  /** Affinity keys it has served, oldest first. */
  warm: Set<string>;
}

export interface PoolOptions {
  size: number;
  init: WorkerInit;
  /** A task running longer than this has its worker replaced (a hung decoder must not hold a thread). */
  hardTimeoutMs: number;
  /** The URL of this module (tests pass nothing; it picks the .ts or the built .js worker). */
  moduleUrl?: string;
}

/**
 * How to start the worker entry: the built `frame-worker.js` next to this file, or in development
 * and tests (this file runs as TypeScript) `frame-worker.ts` through tsx's ESM API, registered
 * inside the new thread (a worker's own `--import` does not apply to its entry module).
 */
export function startFrameWorker(moduleUrl: string, init: WorkerInit): Worker {
  if (!moduleUrl.endsWith('.ts'))
    return new Worker(new URL('./frame-worker.js', moduleUrl), { workerData: init });
  const api = pathToFileURL(
    createRequire(moduleUrl)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs'),
  ).href;
  const entry = new URL('./frame-worker.ts', moduleUrl).href;
  const code = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(code, { eval: true, workerData: init });
}

const cancelled = () =>
  new ReelforgeError('RENDER_CANCELLED', 'the frame request was superseded before it started', {
    status: 499,
    retryable: false,
  });

/**
 * A fixed set of frame worker threads, started on first use. Each runs one task at a time; a task
 * goes to the least busy worker, preferring one that has served its affinity key before. A task whose signal aborts before it starts
 * leaves its queue and never occupies a worker. A crashed or hung worker is replaced; `close()` asks
 * every worker to close its Renderers (their ffmpeg decoders) and waits until the threads have ended.
 */
export class WorkerPool {
  readonly #o: PoolOptions;
  readonly #slots: Slot[] = [];
  readonly #tasks = new Map<number, Task>();
  #nextId = 1;
  #rendered = 0;
  #closing: Promise<void> | null = null;
  readonly #lastError = new WeakMap<Slot, Error>();
  /** Workers in a row that died before answering anything. */
  #failedStarts = 0;
  #lastFailure = '';
  #restartAt = 0;
  #restartTimer: NodeJS.Timeout | undefined;

  constructor(options: PoolOptions) {
    this.#o = { ...options, size: Math.max(1, Math.floor(options.size)) };
  }

  #start(): Slot {
    const worker = startFrameWorker(this.#o.moduleUrl ?? import.meta.url, this.#o.init);
    const slot: Slot = {
      worker,
      running: null,
      queue: [],
      exited: Promise.resolve(),
      watchdog: null,
      answered: 0,
      warm: new Set(),
    };
    slot.exited = new Promise((resolve) => worker.once('exit', (code) => resolve(this.#onExit(slot, code))));
    worker.on('error', (e) => this.#lastError.set(slot, e));
    worker.on('message', (m: FromWorker) => this.#onMessage(slot, m));
    return slot;
  }

  /** Starts missing workers, unless workers keep dying before their first answer (then after a pause). */
  #ensureStarted(): void {
    if (this.#closing || Date.now() < this.#restartAt) return;
    while (this.#slots.length < this.#o.size) this.#slots.push(this.#start());
  }

  #onExit(slot: Slot, code: number): void {
    if (slot.watchdog) clearTimeout(slot.watchdog);
    const i = this.#slots.indexOf(slot);
    if (i < 0) return;
    // Gone for good: stats().workers counts threads still running.
    this.#slots.splice(i, 1);
    const why = this.#lastError.get(slot)?.message ?? `exit code ${code}`;
    const failed = (message: string) =>
      this.#closing
        ? new ReelforgeError('PREVIEW_CLOSED', 'the frame service closed while the frame was rendering', {
            status: 503,
          })
        : new ReelforgeError('RENDER_FAILED', message, { retryable: true });
    const task = slot.running;
    slot.running = null;
    if (task) {
      this.#tasks.delete(task.msg.id);
      task.reject(failed(`a preview worker stopped while rendering (${why})`));
    }
    if (this.#closing) return;
    this.#failedStarts = slot.answered === 0 ? this.#failedStarts + 1 : 0;
    if (this.#failedStarts >= 3) {
      // A worker that cannot even start (a broken install) must not be restarted in a tight loop.
      this.#lastFailure = why;
      const delay = Math.min(30_000, 1000 * 2 ** (this.#failedStarts - 3));
      this.#restartAt = Date.now() + delay;
      for (const t of slot.queue.splice(0)) this.#drop(t, failed(`preview workers fail to start (${why})`));
      clearTimeout(this.#restartTimer);
      this.#restartTimer = setTimeout(() => this.#ensureStarted(), delay).unref();
      return;
    }
    // A replacement takes over the queue (the same array: queued tasks' abort handlers still find it).
    const next = this.#start();
    next.queue = slot.queue;
    this.#slots.push(next);
    this.#pump(next);
  }

  #drop(task: Task, e: unknown): void {
    task.signal?.removeEventListener('abort', task.onAbort);
    this.#tasks.delete(task.msg.id);
    task.reject(e);
  }

  #onMessage(slot: Slot, m: FromWorker): void {
    const task = this.#tasks.get(m.id);
    if (!task || slot.running !== task) return;
    this.#tasks.delete(m.id);
    slot.running = null;
    if (slot.watchdog) clearTimeout(slot.watchdog);
    slot.watchdog = null;
    slot.answered++;
    this.#failedStarts = 0;
    if (m.type === 'done') {
      this.#rendered += m.frames.length;
      task.resolve({ frames: m.frames, renderMs: m.renderMs });
    } else task.reject(errorFromWire(m.error));
    this.#pump(slot);
  }

  #load(s: Slot): number {
    return (s.running ? 1 : 0) + s.queue.length;
  }

  /**
   * The least busy worker; among equally busy ones, one that has served this affinity before (its
   * Renderer and pictures are warm). So one user scrubbing stays on one warm worker, while
   * concurrent users spread over all of them (each warms up once).
   */
  #pick(affinity: string): Slot {
    let best = this.#slots[0]!;
    for (const s of this.#slots) {
      const d = this.#load(s) - this.#load(best);
      if (d < 0 || (d === 0 && s.warm.has(affinity) && !best.warm.has(affinity))) best = s;
    }
    best.warm.delete(affinity);
    best.warm.add(affinity);
    if (best.warm.size > 256) best.warm.delete(best.warm.values().next().value as string);
    return best;
  }

  #pump(slot: Slot): void {
    if (slot.running || this.#closing) return;
    const task = slot.queue.shift();
    if (!task) return;
    task.signal?.removeEventListener('abort', task.onAbort);
    slot.running = task;
    task.started = performance.now();
    slot.watchdog = setTimeout(() => {
      this.#lastError.set(slot, new Error(`a frame took longer than ${this.#o.hardTimeoutMs} ms`));
      void slot.worker.terminate();
    }, this.#o.hardTimeoutMs);
    slot.worker.postMessage(task.msg);
  }

  /**
   * Runs a task on a worker. `affinity` names the warm Renderer it needs. Rejects with
   * RENDER_CANCELLED if `signal` aborts while the task still waits; once it runs it completes (the
   * caller decides whether anyone still wants the result).
   */
  run(message: PoolMessage, affinity: string, signal?: AbortSignal): Promise<PoolReply> {
    if (this.#closing)
      return Promise.reject(
        new ReelforgeError('PREVIEW_CLOSED', 'the frame service is closed', { status: 503 }),
      );
    if (signal?.aborted) return Promise.reject(cancelled());
    this.#ensureStarted();
    if (this.#slots.length === 0)
      return Promise.reject(
        new ReelforgeError(
          'RENDER_FAILED',
          `no preview worker is running: they fail to start (${this.#lastFailure}); trying again in ${Math.ceil((this.#restartAt - Date.now()) / 1000)} s`,
          { retryable: true },
        ),
      );
    const slot = this.#pick(affinity);
    return new Promise<PoolReply>((resolve, reject) => {
      const msg = { ...message, id: this.#nextId++ } as TaskMessage;
      const task: Task = { msg, resolve, reject, signal, started: 0, onAbort: () => undefined };
      task.onAbort = () => {
        const at = slot.queue.indexOf(task);
        if (at < 0) return;
        slot.queue.splice(at, 1);
        this.#tasks.delete(msg.id);
        reject(cancelled());
      };
      signal?.addEventListener('abort', task.onAbort, { once: true });
      this.#tasks.set(msg.id, task);
      slot.queue.push(task);
      this.#pump(slot);
    });
  }

  stats(): { workers: number; busy: number; queued: number; rendered: number } {
    return {
      workers: this.#slots.length,
      busy: this.#slots.filter((s) => s.running).length,
      queued: this.#slots.reduce((n, s) => n + s.queue.length, 0),
      rendered: this.#rendered,
    };
  }

  /** Stops every worker (idempotent): queued tasks reject with PREVIEW_CLOSED. */
  close(graceMs = 3000): Promise<void> {
    this.#closing ??= (async () => {
      clearTimeout(this.#restartTimer);
      const closed = new ReelforgeError('PREVIEW_CLOSED', 'the frame service closed', { status: 503 });
      await Promise.all(
        this.#slots.map(async (slot) => {
          for (const t of slot.queue.splice(0)) this.#drop(t, closed);
          slot.worker.postMessage({ type: 'close' } satisfies ToWorker);
          const timer = setTimeout(() => void slot.worker.terminate(), graceMs);
          await slot.exited;
          clearTimeout(timer);
        }),
      );
      this.#tasks.clear();
    })();
    return this.#closing;
  }
}
