import { mkdirSync } from 'node:fs';
import { tmpDir } from './paths.js';

/** Runs once before the suite: a scratch folder for tests that write files. */
export default function setup(): void {
  mkdirSync(tmpDir, { recursive: true });
}
