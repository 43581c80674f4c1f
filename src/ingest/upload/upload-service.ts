import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { FileStore } from '@tus/file-store';
import { Server, type Upload } from '@tus/server';
import type { Config } from '../../config/schema.js';
import { isReelforgeError, ReelforgeError, toReelforgeError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { Ffmpeg } from '../../media/index.js';
import type { AssetLibrary } from '../../storage/asset-library.js';
import { IngestStore } from './ingest-store.js';
import { checkLimits, tusErrorResponse } from './limits.js';
import { PreviewScheduler } from './preview-scheduler.js';
import { ProgressEmitter, type UploadListener } from './progress-emitter.js';
import { type UploadProgress, UploadSession, uploadRejected } from './upload-session.js';

export type IngestConfig = Config['ingest'];

/** Server-made upload ids: never derived from anything the client sent. */
export const UPLOAD_ID = /^u[0-9a-f]{24}$/;

/** Headers on the final PATCH response (exposed to browsers too). */
export const ASSET_ID_HEADER = 'Reelforge-Asset-Id';
export const CONTENT_HASH_HEADER = 'Reelforge-Content-Hash';

export interface UploadServiceDeps {
  /** Folder for unfinished uploads and early previews (`<dataDir>/uploads`). */
  dir: string;
  config: IngestConfig;
  assets: AssetLibrary;
  ffmpeg: () => Promise<Ffmpeg>;
  /** Called once a completed upload is an asset (queues its processing); a failure is logged only. */
  onAsset: (asset: { assetId: string; owner: string }) => Promise<unknown>;
  log: Logger;
  /** Where the routes are mounted. */
  path?: string;
  now?: () => number;
}

/** Finished, refused and removed uploads are remembered this long for status requests. */
const TOMBSTONES = 1_000;

export const uploadNotFound = (id: string) =>
  new ReelforgeError('UPLOAD_NOT_FOUND', `upload ${id} not found`, { status: 404, retryable: false });

/**
 * Resumable uploads on tus 1.0 (creation, termination, expiration). Bytes are checked and hashed as
 * they arrive (IngestStore + UploadSession), an early preview is made from the partial file, and on
 * completion the file becomes a media-library asset (a reference when its content is already stored)
 * whose processing is queued. Every upload belongs to the owner who created it.
 */
export class UploadService {
  readonly tus: Server;
  private readonly store: IngestStore;
  private readonly filesDir: string;
  private readonly previewsDir: string;
  private readonly sessions = new Map<string, UploadSession>();
  private readonly tombstones = new Map<string, { owner: string; progress: UploadProgress }>();
  private readonly owners = new WeakMap<object, string>();
  private readonly progress: ProgressEmitter;
  private readonly previews: PreviewScheduler;
  private readonly abort = new AbortController();
  private readonly sweeper: ReturnType<typeof setInterval>;
  private readonly basePath: string;
  private readonly now: () => number;
  private ready: Promise<void>;
  /** Resolves once uploads left complete by an earlier run have been finished (tests wait for it). */
  readonly recovered: Promise<unknown>;
  private closing: Promise<void> | null = null;

  constructor(private readonly deps: UploadServiceDeps) {
    this.basePath = deps.path ?? '/uploads';
    this.now = deps.now ?? Date.now;
    this.filesDir = join(deps.dir, 'files');
    this.previewsDir = join(deps.dir, 'previews');
    this.ready = Promise.all([
      mkdir(this.filesDir, { recursive: true }),
      mkdir(this.previewsDir, { recursive: true }),
    ]).then(() => undefined);
    const files = new FileStore({
      directory: this.filesDir,
      expirationPeriodInMilliseconds: deps.config.expirationMs,
    });
    this.progress = new ProgressEmitter(
      deps.config.progressIntervalMs,
      (e) => deps.log.error({ err: e }, 'upload listener failed'),
      this.now,
    );
    this.previews = new PreviewScheduler({
      ffmpeg: deps.ffmpeg,
      config: deps.config,
      sourceOf: (id) => this.store.pathOf(id),
      outputOf: (id) => this.previewPath(id),
      signal: this.abort.signal,
      onFirstPreview: (session) => {
        session.previewUrl = this.previewUrl(session.id);
        if (session.stage !== 'uploading') return;
        session.stage = 'previewing';
        this.progress.emit(session, true);
        session.stage = 'uploading';
      },
    });
    this.store = new IngestStore(files, {
      onBytes: (upload, chunk, offset) => this.onBytes(upload, chunk, offset),
      // Chunks can outrun a preview attempt: once a request's bytes are all on disk, try with them.
      onWritten: (upload) => {
        const session = this.sessions.get(upload.id);
        if (session) this.previews.consider(session, true);
      },
      onRemoved: (id) => this.onRemoved(id),
    });
    this.tus = new Server({
      path: this.basePath,
      datastore: this.store,
      maxSize: deps.config.maxBytes,
      relativeLocation: true,
      exposedHeaders: [ASSET_ID_HEADER, CONTENT_HASH_HEADER],
      namingFunction: () => `u${randomBytes(12).toString('hex')}`,
      onUploadCreate: async (req, upload) => this.onCreate(this.ownerOfRequest(req), upload),
      onUploadFinish: async (_req, upload) => ({ headers: await this.finish(upload) }),
      onResponseError: (req, err) => this.mapError(req, err),
    });
    const sweep = () => this.sweep().catch((e: unknown) => deps.log.error({ err: e }, 'upload sweep failed'));
    this.sweeper = setInterval(sweep, deps.config.sweepIntervalMs);
    this.sweeper.unref();
    this.recovered = this.ready
      .then(() => this.recover())
      .catch((e: unknown) => deps.log.error({ err: e }, 'could not finish uploads left complete'))
      .then(sweep);
  }

  /** Hands one request (POST, HEAD, PATCH, DELETE, OPTIONS under the base path) to the tus server. */
  async handle(req: IncomingMessage, res: ServerResponse, owner: string): Promise<void> {
    await this.ready;
    this.owners.set(req, owner);
    await this.tus.handle(req, res);
  }

  /** Throws UPLOAD_NOT_FOUND unless the upload exists (or just ended) and belongs to `owner`. */
  async assertOwner(id: string, owner: string): Promise<void> {
    if ((await this.ownerOf(id)) !== owner) throw uploadNotFound(id);
  }

  /** The upload's current state, for its owner. */
  async status(id: string, owner: string): Promise<UploadProgress> {
    await this.assertOwner(id, owner);
    const session = this.sessions.get(id);
    if (session) return session.snapshot();
    const tomb = this.tombstones.get(id);
    if (tomb) return tomb.progress;
    const upload = await this.store.getUpload(id);
    return this.sessionFor(upload).snapshot();
  }

  /** The early preview's file, for its owner; UPLOAD_PREVIEW_NOT_READY before there is one. */
  async previewFile(id: string, owner: string): Promise<string> {
    await this.assertOwner(id, owner);
    const path = this.previewPath(id);
    if (!(await stat(path).catch(() => null))) {
      throw new ReelforgeError(
        'UPLOAD_PREVIEW_NOT_READY',
        `upload ${id} has no preview yet; follow the WebSocket topic upload:${id} for its previewUrl`,
        { status: 404, retryable: true },
      );
    }
    return path;
  }

  /** Follows every upload's progress events (the hub forwards each to its owner's subscribers). */
  subscribe(listener: UploadListener): () => void {
    return this.progress.subscribe(listener);
  }

  /**
   * Finishes uploads whose last byte was stored but whose completion never ran (the server stopped in
   * between): they become assets now, and a client that asks gets their status. Returns how many.
   */
  async recover(): Promise<number> {
    let n = 0;
    for (const id of await this.store.ids()) {
      const upload = await this.store.getUpload(id).catch(() => null);
      if (!upload || upload.size === undefined || upload.offset !== upload.size || this.sessions.has(id))
        continue;
      n++;
      await this.finish(upload).catch((e: unknown) =>
        this.deps.log.warn({ err: e, uploadId: id }, 'a complete upload left by an earlier run was refused'),
      );
    }
    return n;
  }

  /** Deletes expired unfinished uploads and old previews; returns how many uploads went. */
  async sweep(): Promise<number> {
    const n = await this.tus.cleanUpExpiredUploads();
    const cutoff = this.now() - this.deps.config.expirationMs;
    for (const name of await readdir(this.previewsDir).catch(() => [] as string[])) {
      const path = join(this.previewsDir, name);
      const s = await stat(path).catch(() => null);
      if (s && s.mtimeMs < cutoff) await rm(path, { force: true });
    }
    return n;
  }

  /** Stops the sweeper and running previews, and waits for the start-up recovery. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      clearInterval(this.sweeper);
      this.abort.abort();
      // The start-up recovery uses the database and blob store, which close after this.
      await this.recovered;
      this.progress.close();
    })();
    return this.closing;
  }

  private previewPath(id: string): string {
    return join(this.previewsDir, `${id}.jpg`);
  }

  private previewUrl(id: string): string {
    return `${this.basePath}/${id}/preview`;
  }

  private ownerOfRequest(req: { runtime?: { node?: { req?: object } } }): string {
    const raw = req.runtime?.node?.req;
    const owner = raw ? this.owners.get(raw) : undefined;
    if (!owner)
      throw new ReelforgeError('AUTH_REQUIRED', 'the upload request was not authenticated', { status: 401 });
    return owner;
  }

  private async ownerOf(id: string): Promise<string | null> {
    if (!UPLOAD_ID.test(id)) return null;
    const live = this.sessions.get(id)?.owner ?? this.tombstones.get(id)?.owner;
    if (live) return live;
    try {
      const upload = await this.store.getUpload(id);
      return upload.metadata?.owner ?? null;
    } catch {
      return null;
    }
  }

  private async onCreate(
    owner: string,
    upload: Upload,
  ): Promise<{ metadata: Record<string, string | null> }> {
    const size = upload.size ?? 0;
    if (size === 0)
      throw uploadRejected('the file is empty (Upload-Length: 0); there is nothing to store', 400);
    const { quotaBytes } = this.deps.config;
    let pending = 0;
    // Unfinished uploads count in full (their bytes are on disk or on the way); once one is an asset,
    // the library's total has it.
    for (const s of this.sessions.values()) if (s.owner === owner && s.assetId === null) pending += s.size;
    const used = this.deps.assets.bytesUsed(owner) + pending;
    if (used + size > quotaBytes) {
      throw new ReelforgeError(
        'UPLOAD_QUOTA_EXCEEDED',
        `this upload of ${size} bytes would take ${owner} to ${used + size} bytes, over the quota of ${quotaBytes} (ingest.quotaBytes); delete assets or finish other uploads first`,
        { status: 413, retryable: false, details: { used, size, quota: quotaBytes } },
      );
    }
    // The owner is the server's to say: a client's `owner` metadata is replaced.
    const metadata: Record<string, string | null> = { ...upload.metadata, owner };
    const session = new UploadSession({
      id: upload.id,
      owner,
      size,
      declaredType: metadata.filetype ?? metadata.type ?? null,
      maxPixels: this.deps.config.maxPixels,
      now: this.now,
    });
    this.sessions.set(upload.id, session);
    this.progress.emit(session, true);
    // Found once and remembered: the first preview should not wait for the ffmpeg lookup.
    this.deps.ffmpeg().catch(() => undefined);
    return { metadata };
  }

  /** The live session of an upload, rebuilt from its stored metadata after a restart. */
  private sessionFor(upload: Upload): UploadSession {
    let session = this.sessions.get(upload.id);
    if (!session) {
      session = new UploadSession({
        id: upload.id,
        owner: upload.metadata?.owner ?? '',
        size: upload.size ?? 0,
        declaredType: upload.metadata?.filetype ?? upload.metadata?.type ?? null,
        maxPixels: this.deps.config.maxPixels,
        now: this.now,
      });
      session.offset = upload.offset;
      this.sessions.set(upload.id, session);
    }
    return session;
  }

  private onBytes(upload: Upload, chunk: Buffer, offset: number): void {
    const session = this.sessionFor(upload);
    try {
      session.accept(chunk, offset);
    } catch (e) {
      this.fail(session, e);
      throw e;
    }
    session.releaseHead();
    this.progress.emit(session, false);
    this.previews.consider(session);
  }

  private onRemoved(id: string): void {
    const session = this.sessions.get(id);
    this.sessions.delete(id);
    this.progress.forget(id);
    if (session && !this.tombstones.has(id)) this.remember(session);
  }

  private remember(session: UploadSession): void {
    this.tombstones.set(session.id, { owner: session.owner, progress: session.snapshot() });
    if (this.tombstones.size > TOMBSTONES) {
      const oldest = this.tombstones.keys().next().value;
      if (oldest !== undefined) this.tombstones.delete(oldest);
    }
  }

  private fail(session: UploadSession, e: unknown): void {
    const err = toReelforgeError(e);
    session.stage = 'failed';
    session.error = { code: err.code, message: err.message };
    this.progress.emit(session, true);
    this.remember(session);
  }

  /** A complete upload: hash, confirm by sharp/ffprobe within the limits, store as an asset, queue processing. */
  private async finish(upload: Upload): Promise<Record<string, string>> {
    const session = this.sessionFor(upload);
    const path = this.store.pathOf(upload.id);
    try {
      session.stage = 'analysing';
      this.progress.emit(session, true);
      const hash = await this.store.digest(upload);
      const name = upload.metadata?.filename ?? upload.metadata?.name ?? undefined;
      const { asset } = await this.deps.assets.adoptFile(
        session.owner,
        name ?? undefined,
        path,
        { hash, bytes: session.size },
        (inspection) => checkLimits(inspection, this.deps.config),
      );
      session.stage = 'optimising';
      session.assetId = asset.id;
      this.progress.emit(session, true);
      await this.deps
        .onAsset({ assetId: asset.id, owner: session.owner })
        .catch((e: unknown) =>
          this.deps.log.error({ err: e, assetId: asset.id }, 'could not queue asset processing'),
        );
      const kind = asset.kind === 'image' ? 'image' : asset.kind === 'video' ? 'video' : null;
      // An image's preview from the whole file; a video's only if none could be made on the way.
      if (kind && (kind === 'image' || !session.previewUrl) && !session.previewRunning) {
        if (await this.previews.run(session, kind)) session.previewUrl ??= this.previewUrl(session.id);
      }
      session.stage = 'complete';
      this.progress.emit(session, true);
      this.remember(session);
      await this.store.remove(upload.id);
      return { [ASSET_ID_HEADER]: asset.id, [CONTENT_HASH_HEADER]: hash };
    } catch (e) {
      const err =
        isReelforgeError(e, 'MEDIA_UNREADABLE') || isReelforgeError(e, 'MEDIA_PROTOCOL_REFUSED')
          ? uploadRejected(e.message, 422)
          : toReelforgeError(e);
      this.fail(session, err);
      await this.store.remove(upload.id).catch(() => undefined);
      throw err;
    }
  }

  /** Our errors become the tus response: their status and a `CODE: message` text body. */
  private mapError(
    req: { headers: Headers },
    err: Error | { status_code: number; body: string },
  ): { status_code: number; body: string } | undefined {
    const mapped = tusErrorResponse(err, {
      maxBytes: this.deps.config.maxBytes,
      declared: req.headers.get('upload-length'),
    });
    if (mapped && mapped.status_code >= 500) this.deps.log.error({ err }, 'upload failed');
    return mapped;
  }
}
