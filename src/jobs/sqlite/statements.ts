import type Database from 'better-sqlite3';
import type { SqliteDatabase } from './open-database.js';

export type Statement = Database.Statement<unknown[], unknown>;

/** Prepares each SQL text once per connection. */
export type Sql = (text: string) => Statement;

/** A statement cache for one connection. */
export function createStatementCache(db: SqliteDatabase): Sql {
  const cache = new Map<string, Statement>();
  return (text) => {
    let s = cache.get(text);
    if (!s) {
      s = db.prepare(text);
      cache.set(text, s);
    }
    return s;
  };
}
