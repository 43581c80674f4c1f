import { ReelforgeError } from '../errors.js';
import { formatProblem, type TimelineProblem } from './problems.js';
import type { Timeline } from './schema.js';

/** The I/O that checking media needs, injected so this folder stays free of it. */
export interface MediaCheckDeps {
  /** Maps a clip's `src` to a path (for example inside the project's media folder); may throw to refuse it. */
  resolvePath(src: string): string;
  exists(path: string): Promise<boolean>;
  /** Reads the file's streams; throws when it cannot be decoded. */
  probe(path: string): Promise<unknown>;
}

/** Options for checkTimelineMedia. */
export interface MediaCheckOptions {
  /** How many files are checked at once; 4 unless set. */
  concurrency?: number;
  signal?: AbortSignal;
}

/** A media problem, with whether the file is missing or present but unusable. */
export interface MediaProblem extends TimelineProblem {
  kind: 'missing' | 'undecodable';
}

type Outcome = { ok: true } | { ok: false; kind: MediaProblem['kind']; message: string };

function reasonOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Checks every image, video and audio source of a timeline: each distinct path once, a few at a time.
 * Returns one problem per clip whose source is missing or cannot be decoded, in timeline order.
 */
export async function checkTimelineMedia(
  timeline: Timeline,
  deps: MediaCheckDeps,
  opts: MediaCheckOptions = {},
): Promise<MediaProblem[]> {
  const uses: { path: string; src: string; file: string | undefined; refused?: string }[] = [];
  timeline.tracks.forEach((track, ti) => {
    track.clips.forEach((clip, ci) => {
      if (!('src' in clip)) return;
      const path = `tracks[${ti}].clips[${ci}].src`;
      try {
        uses.push({ path, src: clip.src, file: deps.resolvePath(clip.src) });
      } catch (e) {
        uses.push({ path, src: clip.src, file: undefined, refused: reasonOf(e) });
      }
    });
  });

  const files = [...new Set(uses.flatMap((u) => (u.file === undefined ? [] : [u.file])))];
  const outcomes = new Map<string, Outcome>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      opts.signal?.throwIfAborted();
      const file = files[next++] as string;
      outcomes.set(file, await checkOne(file, deps));
    }
  };
  const width = Math.max(1, Math.min(opts.concurrency ?? 4, files.length));
  await Promise.all(Array.from({ length: width }, worker));
  opts.signal?.throwIfAborted();

  return uses.flatMap((u): MediaProblem[] => {
    if (u.refused !== undefined)
      return [{ path: u.path, kind: 'undecodable', message: `cannot be used: ${u.refused}` }];
    const outcome = outcomes.get(u.file as string);
    if (!outcome || outcome.ok) return [];
    const message = outcome.kind === 'missing' ? `file not found: ${u.src}` : outcome.message;
    return [{ path: u.path, kind: outcome.kind, message, received: u.src }];
  });
}

async function checkOne(file: string, deps: MediaCheckDeps): Promise<Outcome> {
  try {
    if (!(await deps.exists(file))) return { ok: false, kind: 'missing', message: '' };
  } catch (e) {
    return { ok: false, kind: 'undecodable', message: `cannot be read: ${reasonOf(e)}` };
  }
  try {
    await deps.probe(file);
    return { ok: true };
  } catch (e) {
    return { ok: false, kind: 'undecodable', message: `cannot be decoded: ${reasonOf(e)}` };
  }
}

/**
 * Like checkTimelineMedia, but throws when anything is wrong: TIMELINE_MEDIA_MISSING if any file is
 * missing, otherwise TIMELINE_MEDIA_UNDECODABLE; either way listing every problem.
 */
export async function assertTimelineMedia(
  timeline: Timeline,
  deps: MediaCheckDeps,
  opts: MediaCheckOptions = {},
): Promise<void> {
  const problems = await checkTimelineMedia(timeline, deps, opts);
  if (problems.length === 0) return;
  const missing = problems.some((p) => p.kind === 'missing');
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  const lead = missing ? 'media files are missing' : 'media files cannot be decoded';
  throw new ReelforgeError(
    missing ? 'TIMELINE_MEDIA_MISSING' : 'TIMELINE_MEDIA_UNDECODABLE',
    `${lead} (${count}):\n${problems.map(formatProblem).join('\n')}`,
    { status: 422, retryable: false, details: problems },
  );
}
