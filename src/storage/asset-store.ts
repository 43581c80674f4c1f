import type { SqliteDatabase } from '../jobs/index.js';
import type { AssetKind, AssetMetadata } from './media-inspect.js';

/** An item of an owner's media library. Its bytes are the blob named by `hash`. */
export interface Asset {
  id: string;
  owner: string;
  /** A display name (from the upload); never used as a path. */
  name: string;
  kind: AssetKind;
  mime: string;
  /** SHA-256 of the content. */
  hash: string;
  bytes: number;
  metadata: AssetMetadata;
  createdAt: number;
}

export interface AssetQuery {
  /** Part of the name, case-insensitive. */
  q?: string;
  kind?: AssetKind;
  limit: number;
  offset: number;
}

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

interface AssetRow {
  id: string;
  owner: string;
  name: string;
  kind: AssetKind;
  mime: string;
  hash: string;
  bytes: number;
  metadata: string;
  created_at: number;
}

const toAsset = (r: AssetRow): Asset => ({
  id: r.id,
  owner: r.owner,
  name: r.name,
  kind: r.kind,
  mime: r.mime,
  hash: r.hash,
  bytes: r.bytes,
  metadata: JSON.parse(r.metadata) as AssetMetadata,
  createdAt: r.created_at,
});

/** LIKE pattern for a substring, with the wildcards in it escaped. */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** SQL for `server_assets` and the tables that say who uses an asset. Synchronous (better-sqlite3). */
export class AssetStore {
  private readonly byId;

  constructor(private readonly db: SqliteDatabase) {
    this.byId = db.prepare('SELECT * FROM server_assets WHERE id = ? AND owner = ?');
  }

  insert(a: Asset): void {
    this.db
      .prepare(
        'INSERT INTO server_assets (id, owner, name, kind, mime, hash, bytes, metadata, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(a.id, a.owner, a.name, a.kind, a.mime, a.hash, a.bytes, JSON.stringify(a.metadata), a.createdAt);
  }

  /** The owner's asset, or undefined (another owner's asset is as absent as a missing one). */
  get(owner: string, id: string): Asset | undefined {
    const row = this.byId.get(id, owner) as AssetRow | undefined;
    return row && toAsset(row);
  }

  /** Several of the owner's assets at once. */
  getMany(owner: string, ids: readonly string[]): Map<string, Asset> {
    const out = new Map<string, Asset>();
    for (const id of new Set(ids)) {
      const a = this.get(owner, id);
      if (a) out.set(id, a);
    }
    return out;
  }

  /** Metadata already recorded for this content (any owner): identical bytes need no second probe. */
  inspectionOf(hash: string): Pick<Asset, 'kind' | 'mime' | 'metadata'> | undefined {
    const row = this.db
      .prepare('SELECT kind, mime, metadata FROM server_assets WHERE hash = ? LIMIT 1')
      .get(hash) as Pick<AssetRow, 'kind' | 'mime' | 'metadata'> | undefined;
    return row && { kind: row.kind, mime: row.mime, metadata: JSON.parse(row.metadata) as AssetMetadata };
  }

  list(owner: string, query: AssetQuery): Page<Asset> {
    const where = ['owner = ?'];
    const args: unknown[] = [owner];
    if (query.q) {
      where.push("name LIKE ? ESCAPE '\\'");
      args.push(likePattern(query.q));
    }
    if (query.kind) {
      where.push('kind = ?');
      args.push(query.kind);
    }
    const clause = where.join(' AND ');
    const total = this.db
      .prepare(`SELECT COUNT(*) FROM server_assets WHERE ${clause}`)
      .pluck()
      .get(...args) as number;
    const rows = this.db
      .prepare(
        `SELECT * FROM server_assets WHERE ${clause} ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`,
      )
      .all(...args, query.limit, query.offset) as AssetRow[];
    return { items: rows.map(toAsset), total, limit: query.limit, offset: query.offset };
  }

  /** Projects whose current timeline uses the asset, and renders not yet marked finished that use it. */
  users(id: string): { projects: string[]; renders: string[] } {
    const projects = this.db
      .prepare('SELECT project_id FROM server_asset_refs WHERE asset_id = ? ORDER BY project_id')
      .pluck()
      .all(id) as string[];
    const renders = this.db
      .prepare(
        `SELECT r.id FROM server_render_assets ra JOIN server_renders r ON r.id = ra.render_id
         WHERE ra.asset_id = ? AND r.finished_at IS NULL ORDER BY r.id`,
      )
      .pluck()
      .all(id) as string[];
    return { projects, renders };
  }

  delete(owner: string, id: string): boolean {
    return this.db.prepare('DELETE FROM server_assets WHERE id = ? AND owner = ?').run(id, owner).changes > 0;
  }

  /** Whether any record still names this content: an asset, a render's output, or an asset's derivative. */
  isHashReferenced(hash: string): boolean {
    return (
      this.db
        .prepare(
          'SELECT EXISTS (SELECT 1 FROM server_assets WHERE hash = ?) OR EXISTS (SELECT 1 FROM server_renders WHERE output_hash = ?) OR EXISTS (SELECT 1 FROM server_asset_derivatives WHERE hash = ?)',
        )
        .pluck()
        .get(hash, hash, hash) === 1
    );
  }
}
