import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { ReelforgeError } from '../errors.js';
import type { Logger } from '../log.js';
import {
  ffmpegExited,
  ffmpegKilled,
  ffmpegNotFound,
  inputNotConsumed,
  type MediaTool,
  type ProcessFailureDetails,
  protocolRefused,
} from './media-errors.js';
import { type FfmpegProgress, ProgressParser } from './progress.js';
import { findRefusal } from './protocols.js';
import { TailBuffer } from './tail-buffer.js';

/** Lifecycle of a child process. */
export type ProcessStatus = 'running' | 'exited-ok' | 'exited-error';

/** What a successful run resolves with. */
export interface FfmpegResult {
  durationMs: number;
  stderrTail: string;
}

/** A running ffmpeg/ffprobe. `done` settles once, after the process has exited and its output is read. */
export interface FfmpegProcess {
  readonly status: ProcessStatus;
  readonly pid: number | undefined;
  readonly stdin: Writable | null;
  readonly stdout: Readable | null;
  /** Resolves on exit code 0; rejects with a ReelforgeError otherwise. */
  readonly done: Promise<FfmpegResult>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. Idempotent. */
  kill(graceMs?: number): Promise<void>;
  /** Writes to stdin honouring back-pressure; if ffmpeg is gone, rejects with ffmpeg's own error. */
  write(chunk: Uint8Array): Promise<void>;
  /** Closes stdin and waits for the process to finish. */
  endInput(): Promise<FfmpegResult>;
}

/** Everything ToolProcess needs, already resolved (no optional knobs). */
export interface ToolSpec {
  tool: MediaTool;
  bin: string;
  args: readonly string[];
  stdin: boolean;
  stdout: 'pipe' | 'ignore';
  /** File descriptor 3 carries `-progress` output when set. */
  onProgress: ((p: FfmpegProgress) => void) | null;
  signal: AbortSignal | null;
  log: Logger | null;
  cwd: string | undefined;
}

/** A spawned ffmpeg/ffprobe with a status, a `done` promise and a kill that cannot leave orphans. */
export class ToolProcess implements FfmpegProcess {
  readonly done: Promise<FfmpegResult>;
  readonly #spec: ToolSpec;
  readonly #child: ChildProcess;
  readonly #tail = new TailBuffer();
  readonly #startedAt = performance.now();
  readonly #exited: Promise<void>;
  #status: ProcessStatus = 'running';
  #hasExited = false;
  #killRequested = false;
  #killTimer: NodeJS.Timeout | undefined;
  #settle!: { resolve: (r: FfmpegResult) => void; reject: (e: unknown) => void };
  #markExited!: () => void;
  readonly #onNodeExit = () => this.#child.kill('SIGKILL');
  readonly #onAbort = () => void this.kill();

  constructor(spec: ToolSpec) {
    this.#spec = spec;
    this.done = new Promise((resolve, reject) => {
      this.#settle = { resolve, reject };
    });
    this.done.catch(() => {}); // callers await `done`; an un-awaited failure must not crash the process
    this.#exited = new Promise((resolve) => {
      this.#markExited = resolve;
    });
    const stdio: Array<'pipe' | 'ignore'> = [spec.stdin ? 'pipe' : 'ignore', spec.stdout, 'pipe'];
    if (spec.onProgress) stdio.push('pipe');
    this.#child = spawn(spec.bin, [...spec.args], { stdio, cwd: spec.cwd, windowsHide: true });
    this.#wire(this.#child);
    spec.log?.debug({ tool: spec.tool, pid: this.#child.pid, args: spec.args }, `${spec.tool} started`);
  }

  get status(): ProcessStatus {
    return this.#status;
  }
  get pid(): number | undefined {
    return this.#child.pid;
  }
  get stdin(): Writable | null {
    return this.#child.stdin;
  }
  get stdout(): Readable | null {
    return this.#child.stdout;
  }

  #wire(child: ChildProcess): void {
    const ignore = (e: Error) => this.#spec.log?.debug({ err: e.message }, `${this.#spec.tool} stream error`);
    // EPIPE on stdin when ffmpeg dies early is a symptom; the exit status below is the error we report.
    child.stdin?.on('error', ignore);
    child.stdout?.on('error', ignore);
    child.stderr?.on('error', ignore).on('data', (c: Buffer) => this.#tail.push(c));
    const progress = child.stdio[3] as Readable | null | undefined;
    if (progress && this.#spec.onProgress) this.#wireProgress(progress, this.#spec.onProgress);
    child.on('error', (e) => this.#onError(e));
    child.once('exit', () => this.#onExit());
    child.once('close', (code, signal) => this.#finish(code, signal));
    if (child.pid === undefined) return; // spawn failed; 'error' follows
    process.on('exit', this.#onNodeExit);
    const signal = this.#spec.signal;
    if (signal?.aborted) this.#onAbort();
    else signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  #wireProgress(stream: Readable, onProgress: (p: FfmpegProgress) => void): void {
    const parser = new ProgressParser();
    stream.setEncoding('utf8');
    stream.on('error', () => {});
    stream.on('data', (chunk: string) => {
      for (const p of parser.push(chunk)) {
        try {
          onProgress(p);
        } catch (e) {
          this.#spec.log?.warn({ err: e }, 'progress callback threw');
        }
      }
    });
  }

  #onError(e: NodeJS.ErrnoException): void {
    if (this.#child.pid !== undefined) {
      this.#spec.log?.debug({ err: e.message }, `${this.#spec.tool} process error`);
      return;
    }
    this.#onExit();
    this.#fail(ffmpegNotFound(this.#spec.tool, this.#spec.bin, e, this.#spec.cwd));
  }

  #onExit(): void {
    this.#hasExited = true;
    clearTimeout(this.#killTimer);
    process.off('exit', this.#onNodeExit);
    this.#spec.signal?.removeEventListener('abort', this.#onAbort);
    this.#markExited();
  }

  #finish(exitCode: number | null, signal: NodeJS.Signals | null): void {
    if (this.#status !== 'running') return;
    this.#onExit();
    const stderrTail = this.#tail.toString();
    const durationMs = Math.round(performance.now() - this.#startedAt);
    const { tool, args } = this.#spec;
    this.#spec.log?.debug({ tool, pid: this.pid, exitCode, signal, durationMs }, `${tool} exited`);
    const error = this.#classify({ tool, exitCode, signal, args, stderrTail });
    if (error) {
      this.#fail(error);
    } else {
      this.#status = 'exited-ok';
      this.#settle.resolve({ durationMs, stderrTail });
    }
  }

  /** Why the run failed, or null if it succeeded. Our own kill wins over whatever exit code followed. */
  #classify(details: ProcessFailureDetails): ReelforgeError | null {
    if (this.#killRequested) return ffmpegKilled({ ...details, byUs: true }, this.#spec.signal?.reason);
    if (details.exitCode === 0) return null;
    if (details.signal !== null) return ffmpegKilled({ ...details, byUs: false });
    const refusal = findRefusal(details.stderrTail);
    return refusal ? protocolRefused(refusal, details) : ffmpegExited(details);
  }

  #fail(error: ReelforgeError): void {
    if (this.#status !== 'running') return;
    this.#status = 'exited-error';
    this.#settle.reject(error);
  }

  kill(graceMs = 2000): Promise<void> {
    if (this.#hasExited) return Promise.resolve();
    if (!this.#killRequested) {
      this.#killRequested = true;
      this.#child.stdin?.destroy();
      this.#child.kill('SIGTERM');
      this.#killTimer = setTimeout(() => this.#child.kill('SIGKILL'), graceMs);
    }
    return this.#exited;
  }

  async write(chunk: Uint8Array): Promise<void> {
    const stdin = this.#child.stdin;
    if (!stdin) throw new ReelforgeError('INTERNAL', `${this.#spec.tool} was started without stdin`);
    if (this.#hasExited || !stdin.writable) return this.#inputClosed();
    if (stdin.write(chunk)) return;
    const drained = await Promise.race([
      once(stdin, 'drain').then(
        () => true,
        () => false,
      ),
      this.#exited.then(() => false),
    ]);
    if (!drained) return this.#inputClosed();
  }

  /** Stdin is gone: report why ffmpeg stopped reading rather than the pipe error. */
  async #inputClosed(): Promise<never> {
    const { tool, args } = this.#spec;
    await this.done;
    throw inputNotConsumed({ tool, args, exitCode: 0, signal: null, stderrTail: this.#tail.toString() });
  }

  endInput(): Promise<FfmpegResult> {
    this.#child.stdin?.end();
    return this.done;
  }
}
