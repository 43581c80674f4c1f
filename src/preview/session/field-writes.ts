import { pathsOverlap } from './json-path.js';
import type { MemberRef } from './protocol.js';

/** The last write of one field: the session version it made and who made it. */
export interface FieldWrite {
  path: string;
  version: number;
  by: MemberRef;
}

/**
 * Last-writer-wins bookkeeping per field. Updates are applied in arrival order, so the last one to
 * arrive wins; this remembers, per path, which version wrote it and who, so a writer whose view was
 * older (its `baseVersion`) learns which of the others' changes it has just overwritten.
 */
export class FieldWrites {
  private readonly writes = new Map<string, FieldWrite>();

  /** Writes by others after `baseVersion` to these paths, to fields inside them, or to fields containing them. */
  overwrittenBy(paths: readonly string[], baseVersion: number, writer: MemberRef): FieldWrite[] {
    const found: FieldWrite[] = [];
    for (const w of this.writes.values()) {
      if (w.version <= baseVersion || w.by.memberId === writer.memberId) continue;
      if (paths.some((p) => pathsOverlap(p, w.path))) found.push(w);
    }
    return found.sort((a, b) => a.version - b.version);
  }

  /** Records a write; writes to fields inside a rewritten one are forgotten (the new value replaced them). */
  record(paths: readonly string[], version: number, by: MemberRef): void {
    for (const path of paths) {
      for (const old of [...this.writes.keys()]) {
        if (old !== path && pathsOverlap(old, path) && old.startsWith(path)) this.writes.delete(old);
      }
      this.writes.set(path, { path, version, by });
    }
  }

  get(path: string): FieldWrite | undefined {
    return this.writes.get(path);
  }

  get size(): number {
    return this.writes.size;
  }
}
