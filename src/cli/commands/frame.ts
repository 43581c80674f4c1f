import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { encodeFrame, renderFrame } from '../../engine/index.js';
import { isReelforgeError, ReelforgeError } from '../../errors.js';
import { findFfmpeg } from '../../media/index.js';
import { type Timeline, timelineDuration } from '../../timeline/index.js';
import type { CliContext, RegisterCommands } from '../context.js';
import { loadTimelineFile } from '../load-timeline.js';
import { intIn, parseScale, parseSeconds } from '../option-values.js';
import { formatBytes } from '../progress-bar.js';

interface FrameCommandOptions {
  at: number;
  output?: string;
  scale?: number;
  quality: number;
}

const formats: Record<string, 'png' | 'jpeg'> = { '.png': 'png', '.jpg': 'jpeg', '.jpeg': 'jpeg' };

/** The picture format an output name asks for; USAGE for anything but .png, .jpg and .jpeg. */
export function frameFormat(file: string): 'png' | 'jpeg' {
  const format = formats[extname(file).toLowerCase()];
  if (!format)
    throw new ReelforgeError('USAGE', `--output ${file}: expected a .png, .jpg or .jpeg file name`, {
      status: 400,
    });
  return format;
}

/** The timeline's length when the timeline alone says it (no clip waits for its source's length). */
function knownDuration(timeline: Timeline): number | null {
  try {
    return timelineDuration(timeline);
  } catch (e) {
    if (isReelforgeError(e, 'TIMELINE_DURATION_UNRESOLVED')) return null;
    throw e;
  }
}

/** Writes a file under a temporary name in the same folder, then renames it into place. */
async function writeAtomically(path: string, data: Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const partial = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.partial`);
  try {
    await writeFile(partial, data);
    await rename(partial, path);
  } finally {
    await rm(partial, { force: true });
  }
}

async function runFrame(ctx: CliContext, file: string, opts: FrameCommandOptions): Promise<number> {
  const shown = opts.output ?? `${basename(file, extname(file))}-${opts.at}s.png`;
  const format = frameFormat(shown);
  const loaded = await loadTimelineFile(file);
  const duration = knownDuration(loaded.timeline);
  if (duration !== null && opts.at >= duration) {
    throw new ReelforgeError(
      'RENDER_RANGE_INVALID',
      `--at: expected a time from 0 to before the end of the video (${duration} s), got ${opts.at}`,
      { status: 422, retryable: false },
    );
  }
  const ff = await findFfmpeg(ctx.config().media);
  const frame = await renderFrame(loaded.timeline, opts.at, {
    ff,
    baseDir: loaded.baseDir,
    scale: opts.scale,
    log: ctx.logger(),
  });
  const bytes = await encodeFrame(frame, format, opts.quality);
  await writeAtomically(resolve(shown), bytes);
  ctx.out(`wrote ${shown} (${frame.width}x${frame.height} ${format}, ${formatBytes(bytes.length)})\n`);
  return 0;
}

/** `reelforge frame <timeline.json> --at <s>`: one frame, exactly as the video would show it. */
export const registerFrameCommand: RegisterCommands = (program, ctx) => {
  program
    .command('frame')
    .description('render one frame of a timeline to a PNG or JPEG (the same pixels the video gets)')
    .argument('<timeline>', 'timeline JSON file')
    .requiredOption('--at <seconds>', 'time of the frame', parseSeconds)
    .option(
      '-o, --output <file>',
      'picture to write; .png or .jpg/.jpeg (default: <timeline name>-<at>s.png)',
    )
    .option('--scale <factor>', 'render at a fraction of the output size, 0.05 to 1', parseScale)
    .option('--quality <1-100>', 'JPEG quality', intIn(1, 100), 90)
    .action(ctx.action((file: string, opts: FrameCommandOptions) => runFrame(ctx, file, opts)));
};
