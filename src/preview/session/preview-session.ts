import { randomBytes, timingSafeEqual } from 'node:crypto';
import { assetIdOf, collectMediaRefs, withMediaPaths } from '../../storage/asset-refs.js';
import type { Projects } from '../../storage/projects.js';
import { frameAt, frameTime, type Timeline, timelineDuration } from '../../timeline/index.js';
import { FieldWrites } from './field-writes.js';
import { formatSegments, parsePath, setAtPath } from './json-path.js';
import type { Change, MemberRef } from './protocol.js';

/** What a session needs from storage: the owner's projects, assets and their files. */
export interface SessionStorage {
  projects: Pick<Projects, 'get' | 'version' | 'checkTimeline' | 'save'>;
  assets: { get(owner: string, id: string): { hash: string } };
  blobs: { localPath(hash: string): Promise<string> };
  /**
   * Called with each video asset a session's timeline names and the file it resolved to, so that the
   * frame service can read the asset's low-resolution proxy at preview quality.
   */
  videoResolved?(assetId: string, path: string): Promise<void>;
}

/** A session's timeline in two forms: as stored (`asset:<id>`) and as rendered (local file paths). */
export interface SessionTimeline {
  stored: Timeline;
  rendered: Timeline;
}

/** The outcome of one accepted update. */
export interface AppliedUpdate {
  version: number;
  paths: string[];
  previous: Timeline;
  next: Timeline;
  overwritten: Array<{ path: string; version: number; by: MemberRef }>;
}

/**
 * One live preview session on a project: its working timeline (edits not necessarily saved), a version
 * counting accepted updates, who wrote which field last, and its members. Updates run one at a time
 * (`serial`), so "last writer wins" means the last to arrive.
 */
export class PreviewSession<M = unknown> {
  readonly joinKey = randomBytes(18).toString('base64url');
  readonly members = new Map<string, M>();
  readonly writes = new FieldWrites();
  version = 0;
  lastActive: number;
  private chain: Promise<unknown> = Promise.resolve();
  /** asset id → local file, resolved once per session. */
  private readonly files = new Map<string, string>();

  private constructor(
    readonly id: string,
    readonly projectId: string,
    readonly owner: string,
    /** The project version edits are based on; a save on top of another is a conflict. */
    public projectVersion: number,
    public timeline: SessionTimeline,
    private readonly storage: SessionStorage,
    now: number,
  ) {
    this.lastActive = now;
  }

  /** Opens a session on a version of the owner's project (the current one by default). */
  static async open<M>(
    id: string,
    owner: string,
    projectId: string,
    version: number | undefined,
    storage: SessionStorage,
    now: number,
  ): Promise<PreviewSession<M>> {
    const v = storage.projects.version(owner, projectId, version);
    const checked = storage.projects.checkTimeline(owner, v.timeline);
    const placeholder = { stored: checked.timeline, rendered: checked.timeline };
    const session = new PreviewSession<M>(id, projectId, owner, v.version, placeholder, storage, now);
    session.timeline = { stored: checked.timeline, rendered: await session.resolve(checked.timeline) };
    return session;
  }

  /** Whether `key` is this session's join key (compared in constant time). */
  acceptsKey(key: string | undefined): boolean {
    if (key === undefined) return false;
    const a = Buffer.from(key);
    const b = Buffer.from(this.joinKey);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  /** Runs `fn` after every earlier serial task of this session. */
  serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /**
   * Applies changes by JSON path to a copy of the timeline, validates the result (the error names the
   * path), resolves its media, and only then makes it current. Call inside `serial`.
   */
  async apply(
    changes: readonly Change[],
    by: MemberRef,
    baseVersion: number | undefined,
  ): Promise<AppliedUpdate> {
    const segments = changes.map((c) => parsePath(c.path));
    const paths = segments.map(formatSegments);
    const draft = structuredClone(this.timeline.stored) as unknown as Record<string, unknown>;
    for (const [i, c] of changes.entries()) setAtPath(draft, segments[i]!, c.value);
    const checked = this.storage.projects.checkTimeline(this.owner, draft);
    const rendered = await this.resolve(checked.timeline);
    const overwritten = baseVersion === undefined ? [] : this.writes.overwrittenBy(paths, baseVersion, by);
    const previous = this.timeline.rendered;
    this.timeline = { stored: checked.timeline, rendered };
    this.version += 1;
    this.writes.record(paths, this.version, by);
    return { version: this.version, paths, previous, next: rendered, overwritten };
  }

  /** Stores the working timeline as a new project version; PROJECT_VERSION_CONFLICT when the base moved on. */
  save(createdBy: string | null, message: string | undefined, overwrite: boolean): number {
    const { projects } = this.storage;
    const base = overwrite ? projects.get(this.owner, this.projectId).version : this.projectVersion;
    const saved = projects.save(this.owner, this.projectId, base, {
      timeline: this.timeline.stored,
      message: message ?? `preview session ${this.id}, version ${this.version}`,
      createdBy,
    });
    this.projectVersion = saved.version;
    return saved.version;
  }

  /** The timeline's length when it is known without probing media (else null). */
  duration(): number | null {
    try {
      return timelineDuration(this.timeline.rendered);
    } catch {
      return null;
    }
  }

  /** `time` moved onto the start of the output frame showing at it. */
  snap(time: number): number {
    const fps = this.timeline.rendered.output.fps;
    return frameTime(frameAt(time, fps), fps);
  }

  private async resolve(timeline: Timeline): Promise<Timeline> {
    for (const ref of collectMediaRefs(timeline)) {
      const id = assetIdOf(ref.value);
      if (id === null || this.files.has(id)) continue;
      const asset = this.storage.assets.get(this.owner, id);
      const path = await this.storage.blobs.localPath(asset.hash);
      this.files.set(id, path);
      if (ref.accepts.includes('video')) await this.storage.videoResolved?.(id, path);
    }
    return withMediaPaths(timeline, (ref) => this.files.get(assetIdOf(ref.value) ?? '') ?? ref.value);
  }
}
