import { open } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ReelforgeError } from '../errors.js';
import { parseTimelineJson, type Timeline } from '../timeline/index.js';
import { formatBytes } from './progress-bar.js';

/** Timeline files larger than this are refused before they are read (20 MB). */
export const MAX_TIMELINE_BYTES = 20 * 1024 * 1024;

/** A timeline read from a file, with the folder its relative `src` paths are resolved against. */
export interface TimelineFile {
  timeline: Timeline;
  /** Absolute path of the file. */
  path: string;
  /** The file's folder. */
  baseDir: string;
  /** The path as the user wrote it, for messages. */
  source: string;
}

function usage(message: string, cause?: unknown): ReelforgeError {
  return new ReelforgeError('USAGE', message, { status: 400, retryable: false, cause });
}

/** Reads a timeline file as UTF-8 text, refusing folders, missing files and files over `maxBytes`. */
export async function readTimelineText(file: string, maxBytes = MAX_TIMELINE_BYTES): Promise<string> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw usage(`${file}: no such file`, e);
    if (code === 'EACCES' || code === 'EPERM') throw usage(`${file}: permission denied`, e);
    throw usage(`${file}: cannot be opened (${code ?? String(e)})`, e);
  }
  try {
    const info = await handle.stat();
    if (info.isDirectory()) throw usage(`${file}: is a folder; give the timeline's JSON file`);
    if (info.size > maxBytes) {
      throw new ReelforgeError(
        'TIMELINE_INVALID',
        `${file}: ${formatBytes(info.size)} is more than a timeline file may have (${formatBytes(maxBytes)})`,
        { status: 413, retryable: false },
      );
    }
    const bytes = await handle.readFile();
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch (e) {
      throw new ReelforgeError('TIMELINE_PARSE', `${file}: not UTF-8 text (a timeline is a JSON file)`, {
        status: 400,
        retryable: false,
        details: { source: file, reason: 'not UTF-8' },
        cause: e,
      });
    }
  } finally {
    await handle.close();
  }
}

/**
 * Reads, parses and validates a timeline file. Bad JSON is TIMELINE_PARSE naming line and column;
 * a document that is not a valid timeline is TIMELINE_INVALID listing every problem with its path.
 */
export async function loadTimelineFile(file: string, maxBytes = MAX_TIMELINE_BYTES): Promise<TimelineFile> {
  const text = await readTimelineText(file, maxBytes);
  const path = resolve(file);
  return { timeline: parseTimelineJson(text, file), path, baseDir: dirname(path), source: file };
}
