import { migrateTables } from './migrate-tables.js';
import type { SqliteDatabase } from './open-database.js';

const V1 = `
CREATE TABLE IF NOT EXISTS jobs_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS jobs_jobs (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  state TEXT NOT NULL,
  priority INTEGER NOT NULL,
  payload TEXT NOT NULL,
  ready_seq INTEGER NOT NULL DEFAULT 0,
  run_at INTEGER NOT NULL DEFAULT 0,
  pending_deps INTEGER NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL,
  attempts_per_run INTEGER NOT NULL,
  timeout_ms INTEGER NOT NULL,
  memory_mb REAL NOT NULL DEFAULT 0,
  cost REAL NOT NULL DEFAULT 0,
  wait_reason TEXT,
  cancel_requested INTEGER NOT NULL DEFAULT 0,
  cancel_reason TEXT,
  lease_owner TEXT,
  lease_token TEXT,
  lease_expires_at INTEGER,
  progress TEXT,
  result TEXT,
  error TEXT,
  failed_dependency TEXT,
  created_at INTEGER NOT NULL,
  queued_at INTEGER,
  started_at INTEGER,
  finished_at INTEGER
);
CREATE INDEX IF NOT EXISTS jobs_jobs_ready ON jobs_jobs (type, priority, ready_seq) WHERE state = 'queued';
CREATE INDEX IF NOT EXISTS jobs_jobs_run_at ON jobs_jobs (run_at) WHERE state = 'queued';
CREATE INDEX IF NOT EXISTS jobs_jobs_lease ON jobs_jobs (lease_expires_at) WHERE state = 'active';
CREATE INDEX IF NOT EXISTS jobs_jobs_state ON jobs_jobs (state, seq);
CREATE INDEX IF NOT EXISTS jobs_jobs_type ON jobs_jobs (type, seq);
CREATE INDEX IF NOT EXISTS jobs_jobs_finished ON jobs_jobs (finished_at) WHERE finished_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS jobs_deps (
  job_id TEXT NOT NULL,
  dep_id TEXT NOT NULL,
  optional INTEGER NOT NULL,
  ord INTEGER NOT NULL,
  PRIMARY KEY (job_id, dep_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS jobs_deps_dep ON jobs_deps (dep_id);
CREATE TABLE IF NOT EXISTS jobs_attempts (
  job_id TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  worker_id TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  finished_at INTEGER,
  waited_ms INTEGER NOT NULL,
  outcome TEXT NOT NULL,
  error TEXT,
  PRIMARY KEY (job_id, attempt)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS jobs_attempts_started ON jobs_attempts (started_at);
CREATE TABLE IF NOT EXISTS jobs_events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  kind TEXT NOT NULL,
  body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS jobs_cost_ledger (
  job_id TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  at INTEGER NOT NULL,
  amount REAL NOT NULL,
  PRIMARY KEY (job_id, attempt)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS jobs_cost_ledger_at ON jobs_cost_ledger (at);
INSERT OR IGNORE INTO jobs_meta (key, value) VALUES ('ready_seq', 0);
`;

/** Creates or upgrades the `jobs_` tables. Safe to run from several processes at once. */
export function migrateJobsSchema(db: SqliteDatabase): void {
  migrateTables(db, 'jobs', [V1]);
}
