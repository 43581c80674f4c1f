import type { SqliteDatabase } from '../jobs/index.js';
import { migrateTables } from '../jobs/index.js';

/**
 * The server's tables in the shared SQLite database, prefixed `server_` (the job system owns `jobs_`).
 * Blobs live on disk, addressed by their SHA-256; rows here only name them.
 */
const V1 = `
CREATE TABLE IF NOT EXISTS server_tokens (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  owner TEXT NOT NULL,
  scopes TEXT NOT NULL,
  hash TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_used_at INTEGER,
  revoked_at INTEGER
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS server_projects (
  id TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  version INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS server_projects_owner ON server_projects (owner, updated_at DESC);
CREATE TABLE IF NOT EXISTS server_project_versions (
  project_id TEXT NOT NULL REFERENCES server_projects (id) ON DELETE CASCADE,
  version INTEGER NOT NULL,
  timeline TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  message TEXT,
  created_by TEXT,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (project_id, version)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS server_asset_refs (
  project_id TEXT NOT NULL REFERENCES server_projects (id) ON DELETE CASCADE,
  asset_id TEXT NOT NULL,
  PRIMARY KEY (project_id, asset_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS server_asset_refs_asset ON server_asset_refs (asset_id);
CREATE TABLE IF NOT EXISTS server_assets (
  id TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  mime TEXT NOT NULL,
  hash TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  metadata TEXT NOT NULL,
  created_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS server_assets_owner ON server_assets (owner, created_at DESC);
CREATE INDEX IF NOT EXISTS server_assets_hash ON server_assets (hash);
CREATE TABLE IF NOT EXISTS server_renders (
  id TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  project_id TEXT,
  project_version INTEGER,
  format TEXT NOT NULL,
  output_hash TEXT,
  output_bytes INTEGER,
  created_at INTEGER NOT NULL,
  finished_at INTEGER
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS server_renders_owner ON server_renders (owner, created_at DESC);
CREATE INDEX IF NOT EXISTS server_renders_project ON server_renders (project_id);
CREATE INDEX IF NOT EXISTS server_renders_output ON server_renders (output_hash);
CREATE TABLE IF NOT EXISTS server_render_assets (
  render_id TEXT NOT NULL REFERENCES server_renders (id) ON DELETE CASCADE,
  asset_id TEXT NOT NULL,
  PRIMARY KEY (render_id, asset_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS server_render_assets_asset ON server_render_assets (asset_id);
`;

/**
 * Derivatives of an asset made by its processing job (image variants, poster, thumbnail strip, proxy,
 * waveform, PDF pages): one row per name, the bytes in the blob store. Rows go with their asset, whatever
 * deletes it (the trigger); the blobs are tidied by the code that deleted it.
 */
const ASSET_DERIVATIVES = `
CREATE TABLE IF NOT EXISTS server_asset_derivatives (
  asset_id TEXT NOT NULL,
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  mime TEXT NOT NULL,
  hash TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  meta TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (asset_id, name)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS server_asset_derivatives_hash ON server_asset_derivatives (hash);
CREATE TRIGGER IF NOT EXISTS server_asset_derivatives_gone AFTER DELETE ON server_assets
BEGIN
  DELETE FROM server_asset_derivatives WHERE asset_id = OLD.id;
END;
`;

/** Creates or upgrades the `server_` tables. Safe to run from several processes at once. */
export function migrateServerSchema(db: SqliteDatabase): void {
  migrateTables(db, 'server', [V1, ASSET_DERIVATIVES]);
}
