import type { SqliteDatabase } from '../jobs/index.js';
import type { Page } from './asset-store.js';

/** A render as the server records it; its state, progress and result live in the job with the same id. */
export interface RenderRecord {
  /** The job's id. */
  id: string;
  owner: string;
  /** The project and version rendered, or null for an inline timeline. */
  projectId: string | null;
  projectVersion: number | null;
  /** Output format (`mp4`, `webm` …). */
  format: string;
  /** SHA-256 of the output once stored. */
  outputHash: string | null;
  outputBytes: number | null;
  createdAt: number;
  /** When the render's job was seen finished (it then no longer holds its assets). */
  finishedAt: number | null;
}

interface RenderRow {
  id: string;
  owner: string;
  project_id: string | null;
  project_version: number | null;
  format: string;
  output_hash: string | null;
  output_bytes: number | null;
  created_at: number;
  finished_at: number | null;
}

const toRecord = (r: RenderRow): RenderRecord => ({
  id: r.id,
  owner: r.owner,
  projectId: r.project_id,
  projectVersion: r.project_version,
  format: r.format,
  outputHash: r.output_hash,
  outputBytes: r.output_bytes,
  createdAt: r.created_at,
  finishedAt: r.finished_at,
});

/** SQL for `server_renders` and the assets each render holds while it runs. */
export class RenderStore {
  private readonly byId;
  private readonly anyById;

  constructor(private readonly db: SqliteDatabase) {
    this.byId = db.prepare('SELECT * FROM server_renders WHERE id = ? AND owner = ?');
    this.anyById = db.prepare('SELECT * FROM server_renders WHERE id = ?');
  }

  /** Records a render and the assets it uses, in one transaction. */
  insert(r: RenderRecord, assetIds: readonly string[]): void {
    this.db.transaction(() => {
      this.db
        .prepare(
          'INSERT INTO server_renders (id, owner, project_id, project_version, format, created_at) VALUES (?, ?, ?, ?, ?, ?)',
        )
        .run(r.id, r.owner, r.projectId, r.projectVersion, r.format, r.createdAt);
      const ref = this.db.prepare(
        'INSERT OR IGNORE INTO server_render_assets (render_id, asset_id) VALUES (?, ?)',
      );
      for (const a of assetIds) ref.run(r.id, a);
    })();
  }

  remove(id: string): void {
    this.db.prepare('DELETE FROM server_renders WHERE id = ?').run(id);
  }

  get(owner: string, id: string): RenderRecord | undefined {
    const row = this.byId.get(id, owner) as RenderRow | undefined;
    return row && toRecord(row);
  }

  /** Any owner's render (for job events and handlers, which act for the render's owner). */
  getAny(id: string): RenderRecord | undefined {
    const row = this.anyById.get(id) as RenderRow | undefined;
    return row && toRecord(row);
  }

  list(owner: string, query: { projectId?: string; limit: number; offset: number }): Page<RenderRecord> {
    const where = query.projectId ? 'owner = ? AND project_id = ?' : 'owner = ?';
    const args = query.projectId ? [owner, query.projectId] : [owner];
    const total = this.db
      .prepare(`SELECT COUNT(*) FROM server_renders WHERE ${where}`)
      .pluck()
      .get(...args) as number;
    const rows = this.db
      .prepare(
        `SELECT * FROM server_renders WHERE ${where} ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`,
      )
      .all(...args, query.limit, query.offset) as RenderRow[];
    return { items: rows.map(toRecord), total, limit: query.limit, offset: query.offset };
  }

  setOutput(id: string, hash: string, bytes: number): void {
    this.db
      .prepare('UPDATE server_renders SET output_hash = ?, output_bytes = ? WHERE id = ?')
      .run(hash, bytes, id);
  }

  markFinished(id: string, at: number): void {
    this.db
      .prepare('UPDATE server_renders SET finished_at = COALESCE(finished_at, ?) WHERE id = ?')
      .run(at, id);
  }

  /** Renders not yet seen finished (checked against the queue at start). */
  unfinished(): string[] {
    return this.db
      .prepare('SELECT id FROM server_renders WHERE finished_at IS NULL')
      .pluck()
      .all() as string[];
  }
}
