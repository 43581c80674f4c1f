import { createReadStream, type ReadStream } from 'node:fs';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { DetailedError, type PreviousUpload, Upload, type UrlStorage } from 'tus-js-client';
import { type ErrorCode, ReelforgeError } from '../../errors.js';
import type { CliContext, RegisterCommands } from '../context.js';
import { formatBytes, formatClock } from '../progress-bar.js';

/** Exit code after Ctrl-C (128 + SIGINT). */
const EXIT_CANCELLED = 130;

const usage = (message: string) => new ReelforgeError('USAGE', message, { status: 400, retryable: false });

/** A declared type from the extension; the server decides by content anyway. */
const TYPES: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.avif': 'image/avif',
  '.heic': 'image/heic',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
  '.mp4': 'video/mp4',
  '.m4v': 'video/mp4',
  '.mov': 'video/quicktime',
  '.webm': 'video/webm',
  '.mkv': 'video/x-matroska',
  '.avi': 'video/x-msvideo',
  '.mp3': 'audio/mpeg',
  '.m4a': 'audio/mp4',
  '.wav': 'audio/wav',
  '.flac': 'audio/flac',
  '.ogg': 'audio/ogg',
  '.opus': 'audio/ogg',
  '.pdf': 'application/pdf',
};

type Stored = Record<string, { fingerprint: string; upload: PreviousUpload }>;

/**
 * Upload URLs remembered in one JSON file (written to a temporary name, then renamed), keyed by the
 * file's fingerprint (path, size, modification time, server), so an interrupted upload resumes.
 */
export class JsonUrlStorage implements UrlStorage {
  /** Changes run one after another; tus-js-client does not await its removal after success. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly path: string) {}

  /** Resolves once every change asked for so far is on disk. */
  settled(): Promise<void> {
    return this.queue.then(
      () => undefined,
      () => undefined,
    );
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async read(): Promise<Stored> {
    try {
      return JSON.parse(await readFile(this.path, 'utf8')) as Stored;
    } catch {
      return {};
    }
  }

  private async write(all: Stored): Promise<void> {
    await mkdir(join(this.path, '..'), { recursive: true });
    const tmp = `${this.path}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(all, null, 2));
    await rename(tmp, this.path);
  }

  async findAllUploads(): Promise<PreviousUpload[]> {
    return Object.entries(await this.read()).map(([key, v]) => ({ ...v.upload, urlStorageKey: key }));
  }

  async findUploadsByFingerprint(fingerprint: string): Promise<PreviousUpload[]> {
    return Object.entries(await this.read())
      .filter(([, v]) => v.fingerprint === fingerprint)
      .map(([key, v]) => ({ ...v.upload, urlStorageKey: key }));
  }

  removeUpload(key: string): Promise<void> {
    return this.serial(async () => {
      const all = await this.read();
      delete all[key];
      await this.write(all);
    });
  }

  addUpload(fingerprint: string, upload: PreviousUpload): Promise<string> {
    return this.serial(async () => {
      const all = await this.read();
      const key = `tus::${fingerprint}::${Date.now().toString(36)}`;
      all[key] = { fingerprint, upload };
      await this.write(all);
      return key;
    });
  }
}

export interface UploadFileOptions {
  file: string;
  /** Server base URL, e.g. `http://127.0.0.1:7420`. */
  server: string;
  token?: string;
  /** Where resumable upload URLs are remembered. */
  stateFile: string;
  signal?: AbortSignal;
  onProgress?: (sent: number, total: number) => void;
  /** Bytes per PATCH request (default: the whole rest in one request). */
  chunkSize?: number;
}

export interface UploadFileResult {
  assetId: string;
  hash: string;
  bytes: number;
  /** Bytes the server already had (0 for a fresh upload). */
  resumedFrom: number;
  url: string;
}

/** Uploads a file with tus, resuming an earlier interrupted upload of the same file to the same server. */
export async function uploadFile(o: UploadFileOptions): Promise<UploadFileResult> {
  const path = resolve(o.file);
  const info = await stat(path).catch(() => null);
  if (!info?.isFile()) throw usage(`${o.file}: no such file`);
  if (info.size === 0) throw usage(`${o.file}: the file is empty`);
  const endpoint = `${o.server.replace(/\/+$/, '')}/uploads`;
  const type = TYPES[extname(path).toLowerCase()];
  const stream: ReadStream = createReadStream(path);
  const urlStorage = new JsonUrlStorage(o.stateFile);
  let resumedFrom = 0;
  try {
    return await new Promise<UploadFileResult>((done, fail) => {
      const upload = new Upload(stream, {
        endpoint,
        ...(o.chunkSize ? { chunkSize: o.chunkSize } : {}),
        retryDelays: [0, 1_000, 3_000, 5_000],
        headers: o.token ? { authorization: `Bearer ${o.token}` } : {},
        metadata: { filename: basename(path), ...(type ? { filetype: type } : {}) },
        urlStorage,
        storeFingerprintForResuming: true,
        removeFingerprintOnSuccess: true,
        onAfterResponse: (req, res) => {
          if (req.getMethod() === 'HEAD' && res.getStatus() === 200)
            resumedFrom = Number(res.getHeader('upload-offset') ?? 0);
        },
        onProgress: o.onProgress ?? null,
        onSuccess: ({ lastResponse }) => {
          const assetId = lastResponse.getHeader('reelforge-asset-id');
          const hash = lastResponse.getHeader('reelforge-content-hash');
          if (!assetId || !hash) {
            fail(
              new ReelforgeError(
                'INTERNAL',
                `${endpoint} finished the upload but named no asset; is it a Reelforge server?`,
              ),
            );
            return;
          }
          done({ assetId, hash, bytes: info.size, resumedFrom, url: upload.url ?? '' });
        },
        onError: (e) => fail(toUploadError(e, endpoint)),
      });
      o.signal?.addEventListener(
        'abort',
        () => {
          void upload.abort();
          fail(o.signal?.reason ?? new Error('aborted'));
        },
        { once: true },
      );
      upload
        .findPreviousUploads()
        .then((previous) => {
          const last = previous.sort((a, b) => b.creationTime.localeCompare(a.creationTime))[0];
          if (last) upload.resumeFromPreviousUpload(last);
          if (!o.signal?.aborted) upload.start();
        })
        .catch(fail);
    });
  } finally {
    stream.destroy();
    await urlStorage.settled();
  }
}

/** The server's `CODE: message` body when there is one, else what the client saw. */
function toUploadError(e: Error, endpoint: string): ReelforgeError {
  if (e instanceof DetailedError && e.originalResponse) {
    const status = e.originalResponse.getStatus();
    const body = e.originalResponse.getBody().trim();
    const m = /^([A-Z][A-Z0-9_]+): ([\s\S]*)$/.exec(body);
    // The server's own code (the tus body is `CODE: message`, other routes answer problem+json).
    if (m) return new ReelforgeError(m[1] as ErrorCode, m[2]!, { status });
    const problem = parseProblem(body);
    if (problem) return new ReelforgeError(problem.code as ErrorCode, problem.detail, { status });
    return new ReelforgeError('INTERNAL', `${endpoint} answered ${status}: ${body.slice(0, 300)}`, {
      status,
    });
  }
  return new ReelforgeError('INTERNAL', `upload to ${endpoint} failed: ${e.message}`, {
    cause: e,
    retryable: true,
  });
}

function parseProblem(body: string): { code: string; detail: string } | null {
  try {
    const p = JSON.parse(body) as { code?: unknown; detail?: unknown };
    return typeof p.code === 'string' && typeof p.detail === 'string'
      ? { code: p.code, detail: p.detail }
      : null;
  } catch {
    return null;
  }
}

/** One progress line: `upload [████░░░░]  42%  12.3 MB / 29.1 MB  8.20 MB/s  ETA 0:02`. */
export function uploadLine(sent: number, total: number, bytesPerSec: number, columns: number): string {
  const pct = total > 0 ? Math.floor((sent / total) * 100) : 100;
  const facts = [`${String(pct).padStart(3)}%`, `${formatBytes(sent)} / ${formatBytes(total)}`];
  if (bytesPerSec > 0) {
    facts.push(`${formatBytes(bytesPerSec)}/s`);
    if (sent < total) facts.push(`ETA ${formatClock((total - sent) / bytesPerSec)}`);
  }
  const rest = facts.join('  ');
  const width = Math.min(30, columns - 1 - 'upload [] '.length - rest.length - 2);
  if (width < 10) return `upload ${rest}`.slice(0, Math.max(0, columns - 1));
  const filled = Math.round((pct / 100) * width);
  return `upload [${'█'.repeat(filled)}${'░'.repeat(width - filled)}]  ${rest}`;
}

interface UploadCommandOptions {
  server?: string;
  token?: string;
  json?: boolean;
  quiet?: boolean;
}

async function runUpload(ctx: CliContext, file: string, opts: UploadCommandOptions): Promise<number> {
  const config = ctx.config();
  const server =
    opts.server ??
    `http://${config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host}:${config.server.port}`;
  const controller = new AbortController();
  const onSigint = () => controller.abort(new Error('interrupted (SIGINT)'));
  process.once('SIGINT', onSigint);
  const tty = ctx.errIsTTY === true;
  const started = performance.now();
  let lastDraw = Number.NEGATIVE_INFINITY;
  let first: { at: number; sent: number } | null = null;
  const draw = (sent: number, total: number) => {
    const now = performance.now();
    first ??= { at: now, sent };
    if (now - lastDraw < (tty ? 100 : 10_000) && sent < total) return;
    lastDraw = now;
    const rate = now > first.at ? ((sent - first.sent) * 1000) / (now - first.at) : 0;
    const line = uploadLine(sent, total, rate, process.stderr.columns || 80);
    ctx.err(tty ? `\r${line}\x1b[K` : `${line}\n`);
  };
  try {
    const result = await uploadFile({
      file,
      server,
      token: opts.token,
      stateFile: join(resolve(config.dataDir), 'cli', 'uploads.json'),
      signal: controller.signal,
      onProgress: opts.quiet || opts.json ? undefined : draw,
    });
    if (tty && !opts.quiet && !opts.json) ctx.err('\r\x1b[K');
    if (opts.json) {
      ctx.out(`${JSON.stringify(result, null, 2)}\n`);
      return 0;
    }
    ctx.out(`${result.assetId}\n`);
    if (!opts.quiet) {
      const resumed = result.resumedFrom > 0 ? `, resumed at ${formatBytes(result.resumedFrom)}` : '';
      const secs = (performance.now() - started) / 1000;
      ctx.err(
        `uploaded ${basename(file)} (${formatBytes(result.bytes)}${resumed}) in ${secs.toFixed(1)} s as asset:${result.assetId}, sha256 ${result.hash}\n`,
      );
    }
    return 0;
  } catch (e) {
    if (tty && !opts.quiet && !opts.json) ctx.err('\n');
    if (controller.signal.aborted) {
      ctx.err('upload interrupted; run the same command again to resume it\n');
      return EXIT_CANCELLED;
    }
    throw e;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

/** `reelforge upload <file>`: a resumable upload to a running server; prints the new asset's id. */
export const registerUploadCommand: RegisterCommands = (program, ctx) => {
  program
    .command('upload')
    .description(
      'upload a media file to a running server (resumable: run it again after an interruption); prints the asset id',
    )
    .argument('<file>', 'image, video, audio or PDF file')
    .option(
      '--server <url>',
      'server base URL (default: http://<server.host>:<server.port> from the configuration)',
    )
    .option('--token <token>', 'API token (rft_…), needed unless the server runs open on this machine')
    .option(
      '--json',
      'print the result as JSON (asset id, sha256, bytes, resumedFrom), without the progress bar',
    )
    .option('-q, --quiet', 'no progress bar or summary; only the asset id')
    .action(ctx.action((file: string, opts: UploadCommandOptions) => runUpload(ctx, file, opts)));
};
