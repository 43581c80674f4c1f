import type { Readable } from 'node:stream';
import { formats } from '../engine/index.js';
import { ReelforgeError } from '../errors.js';
import {
  isFinished,
  type JobDetail,
  type JobQueue,
  type JobSummary,
  type Priority,
  type StepSnapshot,
} from '../jobs/index.js';
import type { Page } from '../storage/asset-store.js';
import type { BlobStore, ByteRange } from '../storage/blob-store.js';
import { newId } from '../storage/ids.js';
import type { CheckedTimeline, Projects } from '../storage/projects.js';
import type { RenderRecord, RenderStore } from '../storage/render-store.js';
import { renderNotFound } from '../storage/storage-errors.js';
import type { RenderJobResult, RenderOutputOptions, RenderPayload } from './render-payload.js';

export interface RendersDeps {
  projects: Projects;
  records: RenderStore;
  queue: JobQueue;
  blobs: BlobStore;
  /** Runs checks and writes in one database transaction. */
  transaction: <T>(fn: () => T) => T;
  /** Refuses new work when the data folder is nearly full. */
  assertSpace: () => Promise<void>;
  now?: () => number;
}

export interface RenderRequest {
  /** Render a saved version of a project (the current one unless `version` is given)… */
  projectId?: string;
  version?: number;
  /** …or a timeline sent with the request. */
  timeline?: Record<string, unknown>;
  output?: RenderOutputOptions;
  priority?: Priority;
}

/** A render as the API shows it: the record joined with its job's state, step tree and ETA. */
export interface RenderStatus {
  id: string;
  projectId: string | null;
  projectVersion: number | null;
  format: string;
  state: JobSummary['state'];
  percent: number | null;
  etaMs: number | null;
  message: string | null;
  steps: StepSnapshot[];
  attempts: number;
  error: JobSummary['error'];
  cancelRequested: boolean;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  output: { hash: string; bytes: number; url: string } | null;
  result: RenderJobResult | null;
}

const usage = (message: string) =>
  new ReelforgeError('REQUEST_INVALID', message, { status: 400, retryable: false });

/** Starting renders as jobs, and what the API needs to follow, cancel and download them. */
export class Renders {
  private readonly now: () => number;

  constructor(private readonly deps: RendersDeps) {
    this.now = deps.now ?? Date.now;
  }

  async create(owner: string, req: RenderRequest): Promise<RenderStatus> {
    const { projects, records, queue } = this.deps;
    if ((req.projectId === undefined) === (req.timeline === undefined)) {
      throw usage('give either projectId (and optionally version) or an inline timeline');
    }
    if (req.timeline !== undefined && req.version !== undefined) throw usage('version goes with projectId');
    await this.deps.assertSpace();
    const id = newId('render');
    // Check and record together, so that an asset cannot be deleted between the two.
    const source = this.deps.transaction(() => {
      let source: RenderPayload['source'];
      let checked: CheckedTimeline;
      if (req.projectId !== undefined) {
        const v = projects.version(owner, req.projectId, req.version);
        source = { kind: 'project', projectId: req.projectId, version: v.version };
        checked = projects.checkTimeline(owner, v.timeline);
      } else {
        source = { kind: 'inline', timeline: req.timeline! };
        checked = projects.checkTimeline(owner, req.timeline);
      }
      const format = checked.timeline.output.format;
      if (formats[format].folder) {
        throw usage(
          `output.format ${format} writes a folder of files; the server renders single-file formats ` +
            `(${Object.entries(formats)
              .filter(([, f]) => !f.folder)
              .map(([name]) => name)
              .join(', ')})`,
        );
      }
      records.insert(
        {
          id,
          owner,
          projectId: source.kind === 'project' ? source.projectId : null,
          projectVersion: source.kind === 'project' ? source.version : null,
          format,
          outputHash: null,
          outputBytes: null,
          createdAt: this.now(),
          finishedAt: null,
        },
        checked.assetIds,
      );
      return source;
    });
    try {
      const payload: RenderPayload = { owner, source, output: req.output ?? {} };
      await queue.enqueue({ id, type: 'render', payload, priority: req.priority });
    } catch (e) {
      records.remove(id);
      throw e;
    }
    return this.status(owner, id);
  }

  record(owner: string, id: string): RenderRecord {
    const r = this.deps.records.get(owner, id);
    if (!r) throw renderNotFound(id);
    return r;
  }

  async status(owner: string, id: string): Promise<RenderStatus> {
    const record = this.record(owner, id);
    return toStatus(record, await this.deps.queue.get(id));
  }

  async list(
    owner: string,
    query: { projectId?: string; limit: number; offset: number },
  ): Promise<Page<RenderStatus>> {
    const page = this.deps.records.list(owner, query);
    const items: RenderStatus[] = [];
    for (const r of page.items) {
      const job = await this.deps.queue.get(r.id).catch(() => null);
      if (job) items.push(toStatus(r, job));
    }
    return { ...page, items };
  }

  async cancel(owner: string, id: string): Promise<RenderStatus> {
    this.record(owner, id);
    await this.deps.queue.cancel(id, 'cancelled by request');
    return this.status(owner, id);
  }

  /** The output's record once the render completed; RENDER_NOT_READY before. */
  async output(
    owner: string,
    id: string,
  ): Promise<{ hash: string; bytes: number; filename: string; mime: string }> {
    const r = this.record(owner, id);
    if (r.outputHash === null || r.outputBytes === null) {
      const job = await this.deps.queue.get(id);
      throw new ReelforgeError(
        'RENDER_NOT_READY',
        `render ${id} is ${job.state}${job.percent === null ? '' : ` (${Math.round(job.percent)}%)`}; its output is there once it completed`,
        { status: 409, retryable: false, details: { state: job.state } },
      );
    }
    const ext = formats[r.format as keyof typeof formats]?.extension ?? '';
    return { hash: r.outputHash, bytes: r.outputBytes, filename: `${id}${ext}`, mime: mimeOf(ext) };
  }

  open(hash: string, range?: ByteRange): Promise<Readable> {
    return this.deps.blobs.read(hash, range);
  }

  /** Whether the render's job may still run (used to release its assets). */
  async isActive(id: string): Promise<boolean> {
    try {
      return !isFinished((await this.deps.queue.get(id)).state);
    } catch {
      return false;
    }
  }

  /** Marks renders whose jobs finished while nobody was watching (at start-up). */
  async reconcile(): Promise<void> {
    for (const id of this.deps.records.unfinished()) {
      if (!(await this.isActive(id))) this.deps.records.markFinished(id, this.now());
    }
  }
}

const mimes: Record<string, string> = {
  '.mp4': 'video/mp4',
  '.mov': 'video/quicktime',
  '.mkv': 'video/x-matroska',
  '.webm': 'video/webm',
  '.gif': 'image/gif',
  '.m4a': 'audio/mp4',
  '.mp3': 'audio/mpeg',
  '.opus': 'audio/ogg',
  '.wav': 'audio/wav',
};

function mimeOf(ext: string): string {
  return mimes[ext] ?? 'application/octet-stream';
}

function toStatus(r: RenderRecord, job: JobDetail): RenderStatus {
  return {
    id: r.id,
    projectId: r.projectId,
    projectVersion: r.projectVersion,
    format: r.format,
    state: job.state,
    percent: job.percent,
    etaMs: job.etaMs,
    message: job.message,
    steps: job.progress?.steps ?? [],
    attempts: job.attempts,
    error: job.error,
    cancelRequested: job.cancelRequested,
    createdAt: r.createdAt,
    startedAt: job.startedAt,
    finishedAt: job.finishedAt,
    output:
      job.state === 'completed' && r.outputHash !== null && r.outputBytes !== null
        ? { hash: r.outputHash, bytes: r.outputBytes, url: `/renders/${r.id}/output` }
        : null,
    result: job.state === 'completed' ? (job.result as RenderJobResult) : null,
  };
}
