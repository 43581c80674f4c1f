import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { ReelforgeError } from '../errors.js';

/** What was published: its size on disk and, for a folder, how many files it holds. */
export interface Published {
  bytes: number;
  files: number;
}

const exists = (p: string) =>
  stat(p).then(
    () => true,
    () => false,
  );

/**
 * Where an output is written before it is complete: a temporary file or folder beside the final
 * path, renamed into place by `publish()`, so the final path never holds half an output. Scratch
 * paths (the audio mix, a palette, chunk files) live beside it too; `close()` removes whatever is
 * left, and may be called any number of times.
 */
export class OutputTarget {
  readonly path: string;
  readonly folder: boolean;
  /** Where the encoder writes: a file, or a folder that exists. */
  readonly temp: string;
  readonly #tag = randomBytes(4).toString('hex');
  readonly #scratch: string[] = [];
  #published = false;
  #closing: Promise<void> | null = null;

  private constructor(path: string, folder: boolean) {
    this.path = path;
    this.folder = folder;
    const ext = folder ? '' : extname(path) || '.out';
    this.temp = join(dirname(path), `.${basename(path)}.${this.#tag}.partial${ext}`);
  }

  /** Prepares the output's folder (and the temporary folder of a folder output). */
  static async open(path: string, opts: { folder: boolean; overwrite: boolean }): Promise<OutputTarget> {
    await mkdir(dirname(path), { recursive: true });
    if (!opts.overwrite && (await exists(path)))
      throw new ReelforgeError('RENDER_OUTPUT_EXISTS', `${path} exists; pass overwrite to replace it`, {
        status: 409,
      });
    const target = new OutputTarget(path, opts.folder);
    if (opts.folder) await mkdir(target.temp);
    return target;
  }

  /** A path beside the output for temporary work, removed by close(). */
  scratch(suffix: string): string {
    const p = join(dirname(this.path), `.${basename(this.path)}.${this.#tag}.${suffix}`);
    this.#scratch.push(p);
    return p;
  }

  /** Moves the finished output into place, replacing what was there. */
  async publish(): Promise<Published> {
    if (this.folder && (await exists(this.path))) {
      // A folder cannot be renamed over another: move the old one aside first, then remove it.
      const old = this.scratch('old');
      await rename(this.path, old);
      await rename(this.temp, this.path);
    } else {
      await rename(this.temp, this.path);
    }
    this.#published = true;
    if (!this.folder) return { bytes: (await stat(this.path)).size, files: 1 };
    const names = await readdir(this.path);
    const sizes = await Promise.all(names.map(async (n) => (await stat(join(this.path, n))).size));
    return { bytes: sizes.reduce((a, b) => a + b, 0), files: names.length };
  }

  /** Removes the temporary output (unless published) and every scratch path. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      const paths = this.#published ? this.#scratch : [this.temp, ...this.#scratch];
      for (const p of paths) await rm(p, { recursive: true, force: true }).catch(() => undefined);
    })();
    return this.#closing;
  }
}
