import { mkdtempSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '..', '..');
export const tmpDir = join(repoRoot, 'test', '.tmp');

/** A fresh folder under test/.tmp for one test file. */
export function makeTempDir(prefix: string): string {
  return mkdtempSync(join(tmpDir, `${prefix}-`));
}
