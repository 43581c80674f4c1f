import { parseTimeline, type Timeline } from '../timeline/index.js';
import { checkMediaRefs, collectMediaRefs } from './asset-refs.js';
import type { AssetStore, Page } from './asset-store.js';
import { newId } from './ids.js';
import type { ProjectEvents } from './project-events.js';
import type { Project, ProjectStore, ProjectVersion, VersionSummary } from './project-store.js';
import {
  assetRefInvalid,
  projectNotFound,
  timelineTooLarge,
  versionConflict,
  versionNotFound,
} from './storage-errors.js';

export interface ProjectsDeps {
  store: ProjectStore;
  assets: AssetStore;
  events: ProjectEvents;
  timelineBytes: number;
  now?: () => number;
}

export interface SaveInput {
  timeline: unknown;
  message?: string | null;
  /** The token id saving it. */
  createdBy: string | null;
}

/** A timeline checked for the server: valid, not too large, naming only the owner's assets. */
export interface CheckedTimeline {
  timeline: Timeline;
  json: string;
  assetIds: string[];
}

/**
 * Projects and their versioned timelines. Every save is a new version; a save names the version it was
 * based on and is refused (PROJECT_VERSION_CONFLICT, with the current version) when that is no longer
 * current. Projects belong to their owner: for anyone else they do not exist.
 */
export class Projects {
  private readonly now: () => number;

  constructor(private readonly deps: ProjectsDeps) {
    this.now = deps.now ?? Date.now;
  }

  /**
   * Validates a timeline: size, format (TIMELINE_INVALID with every problem), and media references
   * (ASSET_REF_INVALID). Synchronous, so a caller can check and write in one transaction.
   */
  checkTimeline(owner: string, input: unknown): CheckedTimeline {
    const json = JSON.stringify(input);
    const bytes = Buffer.byteLength(json);
    if (bytes > this.deps.timelineBytes) throw timelineTooLarge(bytes, this.deps.timelineBytes);
    const timeline = parseTimeline(input);
    const { problems, assetIds } = checkMediaRefs(collectMediaRefs(timeline), (id) =>
      this.deps.assets.get(owner, id),
    );
    if (problems.length > 0) throw assetRefInvalid(problems);
    return { timeline, json, assetIds };
  }

  create(owner: string, input: { name: string; description?: string }, initial?: SaveInput): Project {
    const { store } = this.deps;
    const at = this.now();
    const project: Project = {
      id: newId('project'),
      owner,
      name: input.name,
      description: input.description ?? '',
      version: 0,
      createdAt: at,
      updatedAt: at,
    };
    store.transaction(() => {
      store.insert(project);
      if (initial) this.append(owner, project, initial, at);
    });
    return this.get(owner, project.id);
  }

  get(owner: string, id: string): Project {
    const p = this.deps.store.get(owner, id);
    if (!p) throw projectNotFound(id);
    return p;
  }

  list(owner: string, query: { q?: string; limit: number; offset: number }): Page<Project> {
    return this.deps.store.list(owner, query);
  }

  update(owner: string, id: string, fields: { name?: string; description?: string }): Project {
    if (!this.deps.store.updateMeta(owner, id, fields, this.now())) throw projectNotFound(id);
    return this.get(owner, id);
  }

  delete(owner: string, id: string): void {
    if (!this.deps.store.delete(owner, id)) throw projectNotFound(id);
    this.deps.events.emit({ type: 'project.deleted', projectId: id, owner, at: this.now() });
  }

  /** Saves a new version on top of `baseVersion`; PROJECT_VERSION_CONFLICT when that is not current. */
  save(owner: string, id: string, baseVersion: number, input: SaveInput): Project {
    const { store } = this.deps;
    const at = this.now();
    const version = store.transaction(() => {
      const project = store.get(owner, id);
      if (!project) throw projectNotFound(id);
      if (project.version !== baseVersion) throw versionConflict(id, baseVersion, project.version);
      return this.append(owner, project, input, at);
    });
    this.deps.events.emit({ type: 'project.updated', projectId: id, owner, version, at });
    return this.get(owner, id);
  }

  /** A version of the timeline (the current one when `version` is omitted). */
  version(owner: string, id: string, version?: number): ProjectVersion {
    const project = this.get(owner, id);
    const wanted = version ?? project.version;
    const v = wanted > 0 ? this.deps.store.getVersion(id, wanted) : undefined;
    if (!v) throw versionNotFound(id, version ?? null);
    return v;
  }

  versions(owner: string, id: string, query: { limit: number; offset: number }): Page<VersionSummary> {
    this.get(owner, id);
    return this.deps.store.listVersions(id, query);
  }

  private append(owner: string, project: Project, input: SaveInput, at: number): number {
    // Checked inside the write transaction: an asset deleted meanwhile cannot slip in.
    const checked = this.checkTimeline(owner, input.timeline);
    return this.deps.store.appendVersion(project, {
      json: checked.json,
      assetIds: checked.assetIds,
      message: input.message ?? null,
      createdBy: input.createdBy,
      at,
    });
  }
}
