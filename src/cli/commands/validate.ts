import { access } from 'node:fs/promises';
import { resolveSrc } from '../../engine/index.js';
import { isReelforgeError } from '../../errors.js';
import { findFfmpeg, type MediaInfo, probe } from '../../media/index.js';
import {
  checkTimelineMedia,
  clipDuration,
  clipDurationFromSource,
  clipKey,
  formatProblem,
  type Timeline,
  type TimelineProblem,
  timelineDuration,
} from '../../timeline/index.js';
import type { CliContext, RegisterCommands } from '../context.js';
import { EXIT_BAD_INPUT } from '../exit.js';
import { loadTimelineFile } from '../load-timeline.js';

interface ValidateCommandOptions {
  json?: boolean;
  media: boolean;
}

/** A validation problem as printed with --json; a JSON syntax error also carries line and column. */
type Problem = TimelineProblem & { line?: number; column?: number };

/** The problems an error stands for, or null when it is not about the timeline. */
export function problemsOf(e: unknown): Problem[] | null {
  if (!isReelforgeError(e) || !e.code.startsWith('TIMELINE_')) return null;
  if (e.code === 'TIMELINE_PARSE') {
    const d = e.meta.details as { line?: number; column?: number; reason?: string } | undefined;
    return [
      { path: '', message: `invalid JSON: ${d?.reason ?? e.message}`, line: d?.line, column: d?.column },
    ];
  }
  return Array.isArray(e.meta.details) ? (e.meta.details as Problem[]) : [{ path: '', message: e.message }];
}

/**
 * Problems the files themselves reveal once probed: a video clip on a file without pictures, an audio
 * clip on a file without sound, a source shorter than its trimStart. Fills `durations` on the way.
 */
function sourceProblems(
  timeline: Timeline,
  info: (src: string) => MediaInfo | undefined,
  durations: Map<string, number>,
): Problem[] {
  const problems: Problem[] = [];
  timeline.tracks.forEach((track, ti) => {
    track.clips.forEach((clip, ci) => {
      if (clip.type !== 'video' && clip.type !== 'audio') return;
      const media = info(clip.src);
      if (!media) return;
      const at = `tracks[${ti}].clips[${ci}]`;
      if (clip.type === 'video' && !media.video) {
        problems.push({
          path: `${at}.src`,
          message: `${clip.src} has no video stream; use an audio clip for it`,
        });
        return;
      }
      if (clip.type === 'audio' && !media.audio) {
        problems.push({ path: `${at}.src`, message: `${clip.src} has no audio stream` });
        return;
      }
      if (clipDuration(clip) !== undefined || (clip.type === 'audio' && clip.loop)) return;
      const length =
        (clip.type === 'video' ? media.durationSec : (media.audio?.durationSec ?? media.durationSec)) ?? 0;
      const duration = clipDurationFromSource(clip, length);
      if (duration > 0) durations.set(clipKey(ti, ci), duration);
      else
        problems.push({
          path: `${at}.trimStart`,
          message: `expected less than the source's length (${length} s), got ${clip.trimStart}`,
        });
    });
  });
  return problems;
}

function clipCount(timeline: Timeline): number {
  return timeline.tracks.reduce((n, t) => n + t.clips.length, 0);
}

async function runValidate(ctx: CliContext, file: string, opts: ValidateCommandOptions): Promise<number> {
  const fail = (problems: Problem[], error?: unknown): number => {
    if (opts.json) ctx.out(`${JSON.stringify({ file, ok: false, problems }, null, 2)}\n`);
    else if (isReelforgeError(error, 'TIMELINE_PARSE')) ctx.out(`${error.message}\n`);
    else {
      const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
      ctx.out(`invalid: ${file} (${count})\n${problems.map(formatProblem).join('\n')}\n`);
    }
    return EXIT_BAD_INPUT;
  };

  let timeline: Timeline;
  let baseDir: string;
  try {
    ({ timeline, baseDir } = await loadTimelineFile(file));
  } catch (e) {
    const problems = problemsOf(e);
    if (!problems) throw e;
    return fail(problems, e);
  }

  let duration: number | null = null;
  if (opts.media) {
    const hasMedia = timeline.tracks.some((t) => t.clips.some((c) => 'src' in c));
    // Found before checking, so that a missing ffmpeg is one error and not one problem per file.
    const ff = hasMedia ? await findFfmpeg(ctx.config().media) : null;
    const infos = new Map<string, MediaInfo>();
    const problems: Problem[] = await checkTimelineMedia(timeline, {
      resolvePath: (src) => resolveSrc(baseDir, src),
      exists: (p) =>
        access(p).then(
          () => true,
          () => false,
        ),
      probe: async (p) => {
        if (!ff) throw new Error('ffmpeg is needed to probe media');
        infos.set(p, await probe(ff, p));
      },
    });
    const durations = new Map<string, number>();
    const info = (src: string) => {
      try {
        return infos.get(resolveSrc(baseDir, src));
      } catch {
        return undefined; // refused sources are already reported
      }
    };
    problems.push(...sourceProblems(timeline, info, durations));
    if (problems.length > 0) return fail(problems);
    duration = timelineDuration(timeline, durations);
  } else {
    try {
      duration = timelineDuration(timeline);
    } catch (e) {
      if (!isReelforgeError(e, 'TIMELINE_DURATION_UNRESOLVED')) throw e;
    }
  }

  const clips = clipCount(timeline);
  if (opts.json) {
    ctx.out(
      `${JSON.stringify({ file, ok: true, durationSec: duration, clips, tracks: timeline.tracks.length }, null, 2)}\n`,
    );
  } else {
    const length =
      duration === null ? 'length known once media is probed' : `${Number(duration.toFixed(3))} s`;
    ctx.out(`ok: ${file} (${length}, ${clips} ${clips === 1 ? 'clip' : 'clips'})\n`);
  }
  return 0;
}

/** `reelforge validate <timeline.json>`: the timeline, then its media files; every problem at once. */
export const registerValidateCommand: RegisterCommands = (program, ctx) => {
  program
    .command('validate')
    .description('check a timeline and its media files; prints every problem with its place')
    .argument('<timeline>', 'timeline JSON file')
    .option('--json', 'print the outcome as JSON')
    .option('--no-media', 'check only the document, not the media files (needs no ffmpeg)')
    .action(ctx.action((file: string, opts: ValidateCommandOptions) => runValidate(ctx, file, opts)));
};
