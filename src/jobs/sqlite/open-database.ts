import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

export type SqliteDatabase = Database.Database;

/** The file name of the embedded database inside the data folder. */
export const DATABASE_FILE = 'reelforge.db';

/**
 * Opens (creating if needed) the embedded SQLite database: WAL so readers never block the writer,
 * `synchronous=NORMAL` (durable across process crashes; a power cut may lose the last transactions),
 * and a busy timeout so that several processes (server, workers, CLI) can share the file.
 * Tables are prefixed by area (`jobs_…`) so that other parts can share the database.
 */
export function openDatabase(path: string, options: { readonly?: boolean } = {}): SqliteDatabase {
  if (path !== ':memory:' && !options.readonly) mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { readonly: options.readonly ?? false });
  db.pragma('busy_timeout = 5000');
  if (!options.readonly) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
  }
  db.pragma('foreign_keys = ON');
  return db;
}
