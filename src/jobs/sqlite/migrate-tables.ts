import type { SqliteDatabase } from './open-database.js';

/**
 * Creates or upgrades one family of tables sharing a prefix (`jobs_`, `server_` …) in the shared
 * database: `steps[i]` upgrades version i to i + 1, and `<prefix>_meta` records the version. One
 * immediate transaction, so it is safe to run from several processes at once.
 */
export function migrateTables(db: SqliteDatabase, prefix: string, steps: readonly string[]): void {
  const meta = `${prefix}_meta`;
  const target = steps.length;
  db.transaction(() => {
    db.exec(
      `CREATE TABLE IF NOT EXISTS ${meta} (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID`,
    );
    const row = db.prepare(`SELECT value FROM ${meta} WHERE key = 'schema_version'`).get() as
      | { value: number }
      | undefined;
    const version = row?.value ?? 0;
    if (version > target) {
      throw new Error(
        `the ${prefix} tables have schema version ${version}, newer than this Reelforge understands (${target}); upgrade Reelforge`,
      );
    }
    for (let v = version; v < target; v++) db.exec(steps[v]!);
    db.prepare(
      `INSERT INTO ${meta} (key, value) VALUES ('schema_version', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
    ).run(target);
  }).immediate();
}
