import { execFile } from 'node:child_process';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ReelforgeError } from '../../errors.js';

/** How PDF pages become pictures. */
export interface PdfOptions {
  /** `pdftoppm` (from poppler-utils) on the PATH, or an absolute path. */
  pdftoppmPath: string;
  /** Pages past this are not rendered (a 10 000-page PDF must not make 10 000 assets). */
  maxPages: number;
  /** Long side of each page picture, in pixels. */
  longSide: number;
  /** A page that takes longer than this to render fails the job. */
  timeoutMs: number;
}

export const defaultPdfOptions: PdfOptions = {
  pdftoppmPath: 'pdftoppm',
  maxPages: 200,
  longSide: 2048,
  timeoutMs: 5 * 60_000,
};

/** The last line pdftoppm printed that says something (its errors end up there). */
function lastLine(text: string): string {
  return (
    text
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .pop() ?? ''
  );
}

/**
 * Renders the PDF's pages (up to `maxPages`) to PNG files in `outDir`, in page order. Runs pdftoppm with
 * the job's signal (aborting kills it) and a timeout; a PDF it cannot read fails with its message.
 */
export async function renderPdfPages(
  input: string,
  outDir: string,
  options: PdfOptions,
  signal: AbortSignal,
): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const args = [
    '-png',
    '-scale-to',
    String(options.longSide),
    '-f',
    '1',
    '-l',
    String(options.maxPages),
    input,
    join(outDir, 'page'),
  ];
  await new Promise<void>((resolve, reject) => {
    execFile(
      options.pdftoppmPath,
      args,
      { signal, timeout: options.timeoutMs, maxBuffer: 1_048_576, killSignal: 'SIGKILL' },
      (error, _stdout, stderr) => {
        if (!error) return resolve();
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') {
          return reject(
            new ReelforgeError(
              'ASSET_PROCESSING_FAILED',
              `pdftoppm was not found (${options.pdftoppmPath}); install poppler-utils (scripts/setup.sh does) to turn PDF pages into images`,
              { status: 500, retryable: true, cause: error },
            ),
          );
        }
        if (signal.aborted) return reject(signal.reason);
        const reason = lastLine(String(stderr)) || (error.killed ? 'timed out' : error.message);
        reject(new Error(`pdftoppm: ${reason}`, { cause: error }));
      },
    );
  });
  const files = (await readdir(outDir)).filter((f) => /^page-\d+\.png$/.test(f));
  const pageOf = (f: string) => Number(/(\d+)/.exec(f)?.[1]);
  return files.sort((a, b) => pageOf(a) - pageOf(b)).map((f) => join(outDir, f));
}

/** The page number in a pdftoppm output name (`page-007.png` → 7). */
export function pageNumberOf(path: string): number {
  return Number(/page-(\d+)\.png$/.exec(path)?.[1] ?? Number.NaN);
}
