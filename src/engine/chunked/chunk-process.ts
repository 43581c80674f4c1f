import { type ChildProcess, fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ReelforgeError } from '../../errors.js';
import type { FrameRange } from '../frame-pump.js';
import { type ChunkJob, type FromWorker, fromWire, type ToWorker } from './protocol.js';

/**
 * How to start the chunk entry: the compiled `chunk-worker.js` in production; in development and
 * tests (this file runs as TypeScript) the `.ts` entry through tsx's loader.
 */
export function workerEntry(moduleUrl: string): { file: string; execArgv: string[] } {
  const ts = moduleUrl.endsWith('.ts');
  const file = fileURLToPath(new URL(`./chunk-worker.${ts ? 'ts' : 'js'}`, moduleUrl));
  if (!ts) return { file, execArgv: [] };
  const tsx = pathToFileURL(createRequire(moduleUrl).resolve('tsx')).href;
  return { file, execArgv: ['--import', tsx] };
}

/** Kills a process and everything it started (its process group; it was started detached). */
function signalGroup(child: ChildProcess, sig: NodeJS.Signals, evenIfExited = false): void {
  if (child.pid === undefined) return;
  if (!evenIfExited && (child.exitCode !== null || child.signalCode !== null)) return;
  try {
    if (process.platform === 'win32') child.kill(sig);
    else process.kill(-child.pid, sig);
  } catch {
    // already gone
  }
}

/**
 * One chunk process, seen from the coordinator: `start(job)` resolves once it has prepared the
 * timeline, `render(index, range)` once a chunk is written. `kill()` ends it and every ffmpeg it
 * started (SIGTERM, then SIGKILL after a grace period); `close()` asks it to leave. Both are idempotent
 * and resolve once it has exited.
 */
export class ChunkProcess {
  readonly #child: ChildProcess;
  readonly #exited: Promise<void>;
  #stderr = '';
  #failure: ReelforgeError | null = null;
  #waiting: { resolve: (m: FromWorker) => void; reject: (e: unknown) => void } | null = null;
  #killing: Promise<void> | null = null;
  /** Called with frames sent to the encoder so far for the chunk in progress. */
  onProgress: ((index: number, sent: number) => void) | null = null;

  constructor(moduleUrl = import.meta.url) {
    const { file, execArgv } = workerEntry(moduleUrl);
    this.#child = fork(file, [], { execArgv, detached: true, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    this.#child.stderr?.setEncoding('utf8').on('data', (c: string) => {
      this.#stderr = (this.#stderr + c).slice(-4096);
    });
    this.#child.on('message', (m: FromWorker) => this.#onMessage(m));
    this.#exited = new Promise((resolve) => {
      this.#child.once('exit', (code, signal) => {
        this.#fail(
          this.#failure ??
            new ReelforgeError(
              'RENDER_FAILED',
              `a chunk process exited (code ${code}, signal ${signal}) before finishing${this.#stderr ? `: ${this.#stderr.trim().split('\n').at(-1)}` : ''}`,
              {
                retryable: true,
                details: { exitCode: code, signal, stderrTail: this.#stderr },
              },
            ),
        );
        resolve();
      });
      this.#child.on('error', (e) => {
        // Only a process that could not be started at all gets no 'exit' (other errors are followed by one).
        if (this.#child.pid !== undefined) return;
        this.#fail(
          new ReelforgeError('RENDER_FAILED', `a chunk process could not be started: ${e.message}`, {
            cause: e,
          }),
        );
        resolve();
      });
    });
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  #onMessage(m: FromWorker): void {
    if (m.type === 'progress') {
      this.onProgress?.(m.index, m.sent);
      return;
    }
    if (m.type === 'failed') {
      this.#failure = fromWire(m.error);
      this.#fail(this.#failure);
      return;
    }
    const w = this.#waiting;
    this.#waiting = null;
    w?.resolve(m);
  }

  #fail(e: ReelforgeError): void {
    const w = this.#waiting;
    this.#waiting = null;
    w?.reject(e);
  }

  #request(msg: ToWorker): Promise<FromWorker> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null || !this.#child.connected)
      return Promise.reject(
        this.#failure ?? new ReelforgeError('RENDER_FAILED', 'a chunk process is gone', { retryable: true }),
      );
    return new Promise((resolve, reject) => {
      this.#waiting = { resolve, reject };
      this.#child.send(msg, (err) => {
        if (err)
          this.#fail(
            new ReelforgeError('RENDER_FAILED', `could not reach a chunk process: ${err.message}`, {
              retryable: true,
              cause: err,
            }),
          );
      });
    });
  }

  /** Sends the job; resolves with the kernels the process uses once it has prepared the timeline. */
  async start(job: ChunkJob): Promise<string> {
    const m = await this.#request({ type: 'init', job });
    return m.type === 'ready' ? m.kernels : '';
  }

  /** Renders one chunk; resolves with the number of frames re-sent unchanged. */
  async render(index: number, range: FrameRange): Promise<number> {
    const m = await this.#request({ type: 'chunk', index, range });
    return m.type === 'done' ? m.reused : 0;
  }

  /** Asks the process to leave and waits for it (killing it if it does not within the grace period). */
  async close(graceMs = 5000): Promise<void> {
    if (this.#child.connected) this.#child.send({ type: 'close' } satisfies ToWorker, () => undefined);
    const timer = setTimeout(() => void this.kill(), graceMs);
    await this.#exited;
    clearTimeout(timer);
  }

  /** SIGTERM to the process and its ffmpeg children, SIGKILL after `graceMs`; resolves once it exited. */
  kill(graceMs = 3000): Promise<void> {
    this.#killing ??= (async () => {
      signalGroup(this.#child, 'SIGTERM');
      const timer = setTimeout(() => signalGroup(this.#child, 'SIGKILL'), graceMs);
      await this.#exited;
      clearTimeout(timer);
      // Whatever it started and left behind goes with it.
      signalGroup(this.#child, 'SIGKILL', true);
    })();
    return this.#killing;
  }
}
