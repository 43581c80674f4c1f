import type { SqliteDatabase } from '../jobs/index.js';
import { likePattern, type Page } from './asset-store.js';

export interface Project {
  id: string;
  owner: string;
  name: string;
  description: string;
  /** The current timeline version; 0 before the first save. */
  version: number;
  createdAt: number;
  updatedAt: number;
}

export interface VersionSummary {
  version: number;
  /** Size of the timeline as JSON. */
  bytes: number;
  message: string | null;
  /** The token id that saved it (null on an open server). */
  createdBy: string | null;
  createdAt: number;
}

export interface ProjectVersion extends VersionSummary {
  projectId: string;
  /** The timeline exactly as saved (validated; defaults not filled in). */
  timeline: unknown;
}

interface ProjectRow {
  id: string;
  owner: string;
  name: string;
  description: string;
  version: number;
  created_at: number;
  updated_at: number;
}

interface VersionRow {
  project_id: string;
  version: number;
  timeline: string;
  bytes: number;
  message: string | null;
  created_by: string | null;
  created_at: number;
}

const toProject = (r: ProjectRow): Project => ({
  id: r.id,
  owner: r.owner,
  name: r.name,
  description: r.description,
  version: r.version,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const toSummary = (r: Omit<VersionRow, 'timeline' | 'project_id'>): VersionSummary => ({
  version: r.version,
  bytes: r.bytes,
  message: r.message,
  createdBy: r.created_by,
  createdAt: r.created_at,
});

/** One saved timeline, ready to insert. */
export interface NewVersion {
  json: string;
  assetIds: readonly string[];
  message: string | null;
  createdBy: string | null;
  at: number;
}

/** SQL for projects, their timeline versions and the assets their current version uses. Synchronous. */
export class ProjectStore {
  private readonly byId;

  constructor(private readonly db: SqliteDatabase) {
    this.byId = db.prepare('SELECT * FROM server_projects WHERE id = ? AND owner = ?');
  }

  /** Runs `fn` in one transaction (checks and writes that must not interleave with others). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  get(owner: string, id: string): Project | undefined {
    const row = this.byId.get(id, owner) as ProjectRow | undefined;
    return row && toProject(row);
  }

  insert(p: Project): void {
    this.db
      .prepare(
        'INSERT INTO server_projects (id, owner, name, description, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(p.id, p.owner, p.name, p.description, p.version, p.createdAt, p.updatedAt);
  }

  list(owner: string, query: { q?: string; limit: number; offset: number }): Page<Project> {
    const where = query.q ? "owner = ? AND name LIKE ? ESCAPE '\\'" : 'owner = ?';
    const args = query.q ? [owner, likePattern(query.q)] : [owner];
    const total = this.db
      .prepare(`SELECT COUNT(*) FROM server_projects WHERE ${where}`)
      .pluck()
      .get(...args) as number;
    const rows = this.db
      .prepare(
        `SELECT * FROM server_projects WHERE ${where} ORDER BY updated_at DESC, id DESC LIMIT ? OFFSET ?`,
      )
      .all(...args, query.limit, query.offset) as ProjectRow[];
    return { items: rows.map(toProject), total, limit: query.limit, offset: query.offset };
  }

  updateMeta(
    owner: string,
    id: string,
    fields: { name?: string; description?: string },
    at: number,
  ): boolean {
    return (
      this.db
        .prepare(
          'UPDATE server_projects SET name = COALESCE(?, name), description = COALESCE(?, description), updated_at = ? WHERE id = ? AND owner = ?',
        )
        .run(fields.name ?? null, fields.description ?? null, at, id, owner).changes > 0
    );
  }

  delete(owner: string, id: string): boolean {
    return (
      this.db.prepare('DELETE FROM server_projects WHERE id = ? AND owner = ?').run(id, owner).changes > 0
    );
  }

  /** Appends version `project.version + 1` and makes its assets the project's current ones. */
  appendVersion(project: Project, v: NewVersion): number {
    const version = project.version + 1;
    this.db
      .prepare(
        'INSERT INTO server_project_versions (project_id, version, timeline, bytes, message, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(project.id, version, v.json, Buffer.byteLength(v.json), v.message, v.createdBy, v.at);
    this.db
      .prepare('UPDATE server_projects SET version = ?, updated_at = ? WHERE id = ?')
      .run(version, v.at, project.id);
    this.db.prepare('DELETE FROM server_asset_refs WHERE project_id = ?').run(project.id);
    const ref = this.db.prepare('INSERT INTO server_asset_refs (project_id, asset_id) VALUES (?, ?)');
    for (const a of v.assetIds) ref.run(project.id, a);
    return version;
  }

  getVersion(projectId: string, version: number): ProjectVersion | undefined {
    const row = this.db
      .prepare('SELECT * FROM server_project_versions WHERE project_id = ? AND version = ?')
      .get(projectId, version) as VersionRow | undefined;
    return (
      row && { ...toSummary(row), projectId: row.project_id, timeline: JSON.parse(row.timeline) as unknown }
    );
  }

  listVersions(projectId: string, query: { limit: number; offset: number }): Page<VersionSummary> {
    const total = this.db
      .prepare('SELECT COUNT(*) FROM server_project_versions WHERE project_id = ?')
      .pluck()
      .get(projectId) as number;
    const rows = this.db
      .prepare(
        'SELECT version, bytes, message, created_by, created_at FROM server_project_versions WHERE project_id = ? ORDER BY version DESC LIMIT ? OFFSET ?',
      )
      .all(projectId, query.limit, query.offset) as VersionRow[];
    return { items: rows.map(toSummary), total, limit: query.limit, offset: query.offset };
  }
}
